"""Writes for the customer portal: contact-form submissions, sign-in links, customer replies."""
import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from parley.channels.base import InboundAttachment, InboundMessage
from parley.channels.models import InboundEnvelope, Inbox
from parley.channels.services import envelope_store, envelope_store_inbound
from parley.company.selectors import company
from parley.contacts.models import Contact
from parley.contacts.services import contact_language_keep
from parley.conversations.models import Conversation
from parley.core import jobs
from parley.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from parley.core.i18n import in_language_of
from parley.portal.models import PortalLoginToken
from parley.portal.selectors import login_contact_for_email

LOGIN_LINK_LIFETIME = timedelta(minutes=30)
LOGIN_LINK_QUEUE = "portal.login_link"
#: Unused links a customer may hold at once, so the form cannot be used to flood their mailbox.
MAX_OPEN_LOGIN_LINKS = 5


def company_name() -> str:
    """Return the name the portal shows customers (Settings → Company, else PARLEY_COMPANY_NAME)."""
    return company().name


def attachments_check_size(files) -> None:
    """Refuse the submission before anything is stored when one file is over the attachment limit."""
    limit = settings.PARLEY_MAX_ATTACHMENT_BYTES
    for upload in files:
        if upload.size > limit:
            raise PayloadTooLarge(gettext("“%(file)s” is too large; each file may be at most %(max)s bytes.")
                                  % {"file": upload.name, "max": f"{limit:,}"},
                                  extra={"attachments": f"{upload.name}: larger than {limit} bytes", "limit": limit})


def contact_form_submit(*, inbox: Inbox, submission_id: uuid.UUID, name: str, email: str, subject: str,
                        message: str, files=(), language: str = "") -> InboundEnvelope:
    """Store a contact-form submission as a web-form envelope; processing makes the conversation.

    `submission_id` comes from the rendered form, so a double-clicked submit stores one request.
    `language` is the one the form was shown in: the customer's mail is written in it.
    """
    attachments_check_size(files)
    payload = {
        "name": name.strip(), "email": email.strip().lower(), "subject": subject.strip(), "message": message,
        "language": language,
        "attachments": [{"filename": upload.name, "content_type": upload.content_type or "application/octet-stream",
                         "content_base64": base64.b64encode(_read(upload)).decode("ascii")} for upload in files],
    }
    envelope, _ = envelope_store(inbox=inbox, external_id=f"webform-{submission_id}", payload=payload)
    return envelope


def _read(upload) -> bytes:
    upload.seek(0)
    return upload.read()


def _token_hash(raw_token: str) -> str:
    # The token is 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_token.encode()).hexdigest()


def _raw_token(salt: str) -> str:
    """Return the secret of a sign-in link: derived from its stored salt with the secret key, so only a hash is kept."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"portal-login:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@transaction.atomic
def login_link_request(*, email: str, language: str = "") -> None:
    """Queue a one-time sign-in link for the address when it belongs to a contact; say nothing either way.

    `language` is the browser's: the link's mail is written in it unless the contact has a language of their own.

    The mail goes out from the worker, never inside the request, so the answer takes the same
    time for a known and an unknown address.
    """
    contact = login_contact_for_email(email=email)
    if contact is None:
        return
    contact_language_keep(contact=contact, language=language)
    now = timezone.now()
    open_links = PortalLoginToken.objects.filter(contact=contact, used_at__isnull=True, expires_at__gt=now)
    if open_links.count() >= MAX_OPEN_LOGIN_LINKS:
        return
    salt = secrets.token_hex(16)
    token = PortalLoginToken.objects.create(contact=contact, email=email.strip().lower(), salt=salt,
                                            token_hash=_token_hash(_raw_token(salt)), created_at=now,
                                            expires_at=now + LOGIN_LINK_LIFETIME)
    jobs.enqueue(LOGIN_LINK_QUEUE, token.pk)


def login_link_send(*, token_id: int) -> None:
    """Email a queued sign-in link (the job's handler); an expired or used link is not sent."""
    token = PortalLoginToken.objects.select_related("contact").filter(pk=token_id).first()
    if token is None or token.used_at is not None or token.expires_at <= timezone.now():
        return
    link = settings.PARLEY_BASE_URL + reverse("portal:login_confirm", args=[_raw_token(token.salt)])
    minutes = int(LOGIN_LINK_LIFETIME.total_seconds() // 60)
    with in_language_of(token.contact):
        subject = gettext("Your sign-in link for %(company)s") % {"company": company_name()}
        message = gettext("Hello %(name)s,\n\nFollow this link to see your requests with %(company)s:\n\n%(link)s\n\n"
                          "The link works once, for %(minutes)s minutes. If you did not ask for it, ignore this email.") % {
            "name": token.contact.name or "", "company": company_name(), "link": link, "minutes": minutes}
    send_mail(subject=subject, message=message, from_email=company().default_sender, recipient_list=[token.email])


def login_token_check(*, raw_token: str) -> PortalLoginToken:
    """Return the unused, unexpired token behind `raw_token`; raise NotFound otherwise."""
    token = PortalLoginToken.objects.select_related("contact").filter(token_hash=_token_hash(raw_token)).first()
    if token is None or token.used_at is not None or token.expires_at <= timezone.now():
        raise NotFound(gettext("This sign-in link has expired or was already used."))
    return token


@transaction.atomic
def login_token_redeem(*, raw_token: str) -> PortalLoginToken:
    """Use up a sign-in link and return its token; a second use or a late one raises NotFound."""
    token = login_token_check(raw_token=raw_token)
    # A conditional update, not a read-then-write, so two simultaneous clicks sign in once.
    used = PortalLoginToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not used:
        raise NotFound(gettext("This sign-in link has expired or was already used."))
    return token


def customer_reply(*, contact: Contact, email: str, conversation: Conversation, submission_id: uuid.UUID, text: str,
                   files=()) -> InboundEnvelope:
    """Store a customer's portal reply as an envelope of their conversation's inbox.

    A worker turns it into a message through message_receive like any channel's message, so it
    reopens a solved conversation and notifies agents; `submission_id` comes from the rendered
    form, so a double-clicked send stores one reply.
    """
    if not text.strip():
        raise ValidationFailed(gettext("Please write a message."), extra={"text": "required"})
    attachments_check_size(files)
    inbound = InboundMessage(
        external_id=f"portal-{submission_id}", identity_kind="email", source_id=email, contact_email=email,
        contact_name=contact.name, text=text, conversation_id=conversation.pk,
        attachments=tuple(InboundAttachment(filename=f.name, content_type=f.content_type or "application/octet-stream",
                                            content=_read(f)) for f in files),
    )
    envelope, _ = envelope_store_inbound(inbox=conversation.inbox, inbound=inbound)
    return envelope
