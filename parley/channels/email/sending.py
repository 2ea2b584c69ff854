"""Send email from an inbox: agent replies and acknowledgements, threaded so the customer's client groups them.

Every mail Parley sends carries a Message-ID whose local part ends in this installation's loop
token and an X-Parley-Loop header with the same token; inbound mail carrying either is our own
mail coming back (a forwarding rule, an auto-responder) and is refused, which cuts mail loops.
"""
from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
from email import encoders
from email.mime.base import MIMEBase
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPEmailBackend
from django.core.mail.message import SafeMIMEMultipart
from django.utils.html import escape, linebreaks

from parley.channels.base import DeliveryError
from parley.channels.email.config import EmailConfig, address_key
from parley.channels.email.oauth2 import xoauth2_string
from parley.channels.email.threads import subject_base
from parley.contacts.models import IdentityKind

LOOP_HEADER = "X-Parley-Loop"
MAX_REFERENCES = 20


def loop_token() -> str:
    """Return this installation's mark on the mail it sends (stable, derived from the secret key)."""
    return hashlib.sha256(f"parley-mail-loop:{settings.SECRET_KEY}".encode()).hexdigest()[:16]


def message_id_for(message, domain: str) -> str:
    """Return the Message-ID (without angle brackets) of an outbound message: the same on every attempt.

    A resend after a crash (the server took the mail, the worker died before recording it)
    carries the same Message-ID, so mail servers and clients recognise it as the same message.
    The keyed digest keeps ids unguessable although they derive from the message's number.
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), f"parley-message:{message.pk}".encode(), hashlib.sha256).hexdigest()[:16]
    return f"{message.pk}.{digest}.{loop_token()}@{domain}"


def is_own_message_id(message_id: str) -> bool:
    return message_id.rpartition("@")[0].endswith("." + loop_token())


def reply_subject(conversation) -> str:
    base = subject_base(conversation.subject) or "Your message"
    return f"Re: {base} [#{conversation.pk}]"


class XOAuth2EmailBackend(SMTPEmailBackend):
    """Django's SMTP backend logging in with SASL XOAUTH2 (Gmail, Microsoft 365) instead of a password."""

    def __init__(self, *, oauth2_token: str, **kwargs):
        # An empty password (not None, which means "the site's EMAIL_HOST_PASSWORD") skips Django's LOGIN.
        super().__init__(password="", **kwargs)
        self.oauth2_token = oauth2_token

    def open(self) -> bool | None:
        opened = super().open()
        if not opened:
            return opened
        initial = xoauth2_string(self.username, self.oauth2_token).decode()
        try:
            self.connection.ehlo_or_helo_if_needed()
            # A refused token gets a 334 challenge carrying the error; the client answers it empty.
            self.connection.auth("XOAUTH2", lambda challenge=None: initial if challenge is None else "")
        except Exception:
            self.close()
            raise
        return opened


def connection_for(config: EmailConfig):
    """Return a mail connection for the inbox: its own SMTP server, its ESP backend, or the site default."""
    if config.backend:
        return get_connection(config.backend, fail_silently=False, **config.backend_options)
    if config.smtp is None:
        return get_connection(fail_silently=False)
    smtp = config.smtp
    common = {"fail_silently": False, "host": smtp.host, "port": smtp.port, "use_tls": smtp.security == "starttls",
              "use_ssl": smtp.security == "ssl", "timeout": smtp.timeout}
    if smtp.auth == "oauth2":
        return get_connection(f"{__name__}.XOAuth2EmailBackend", username=smtp.username, oauth2_token=smtp.oauth2_token,
                              **common)
    return get_connection("django.core.mail.backends.smtp.EmailBackend", username=smtp.username or None,
                          password=smtp.password or None, **common)


def email_send(config: EmailConfig, email: EmailMultiAlternatives) -> None:
    """Send one email; raise DeliveryError, permanent for a 5xx refusal, transient otherwise."""
    try:
        with connection_for(config) as connection:
            connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                           for rcpt, (code, text) in exc.recipients.items())
        raise DeliveryError(f"recipients refused: {detail}", permanent=all(500 <= c < 600 for c in codes)) from exc
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise DeliveryError(f"mail server answered {exc.smtp_code} {text}", permanent=500 <= exc.smtp_code < 600) from exc
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise DeliveryError(f"mail server unreachable: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise _esp_error(exc) from exc


def _esp_error(exc: Exception) -> Exception:
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

    if isinstance(exc, AnymailRecipientsRefused):
        return DeliveryError(f"the email provider refused the recipients: {exc}", permanent=True)
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code or 0
        return DeliveryError(f"the email provider answered {status or 'an error'}: {exc}",
                             permanent=400 <= status < 500 and status != 429)
    return exc


def _thread_ids(conversation, *, before=None) -> list[str]:
    """Return the Message-IDs of the conversation's email messages, oldest first."""
    messages = conversation.messages.filter(kind="reply").exclude(external_id="")
    if before is not None:
        messages = messages.filter(created_at__lte=before.created_at).exclude(pk=before.pk)
    ids = []
    for external_id, metadata in messages.order_by("created_at", "id").values_list("external_id", "metadata"):
        message_id = (metadata or {}).get("message_id") or external_id
        if "@" in message_id and message_id not in ids:
            ids.append(message_id)
    return ids


def _references(ids: list[str]) -> str:
    # Keep the first id (the thread root) and the newest ones: clients thread on either end.
    kept = ids if len(ids) <= MAX_REFERENCES else [ids[0], *ids[-(MAX_REFERENCES - 1):]]
    return " ".join(f"<{i}>" for i in kept)


class RelatedEmail(EmailMultiAlternatives):
    """An email whose inline parts (attachments with a Content-ID) travel in multipart/related with the HTML.

    Mail clients show a `cid:` image in place only when it shares a multipart/related with the
    HTML that refers to it; Django 5.2 builds multipart/mixed only, so this nests
    mixed(related(alternative, inline parts), files). ESP backends read the same parts
    from `attachments`, where the inline disposition and Content-ID mark them.
    """

    def _create_attachments(self, msg):
        inline = [a for a in self.attachments if isinstance(a, MIMEBase) and a["Content-ID"]]
        if not inline:
            return super()._create_attachments(msg)
        encoding = self.encoding or settings.DEFAULT_CHARSET
        related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
        related.attach(msg)
        for part in inline:
            related.attach(part)
        files = [a for a in self.attachments if not any(a is part for part in inline)]
        if not files:
            return related
        mixed = SafeMIMEMultipart(_subtype=self.mixed_subtype, encoding=encoding)
        mixed.attach(related)
        for attachment in files:
            mixed.attach(attachment if isinstance(attachment, MIMEBase) else self._create_attachment(*attachment))
        return mixed


def inline_part(filename: str, content: bytes, content_type: str, content_id: str) -> MIMEBase:
    """Return a part the HTML shows in place through `cid:<content_id>`."""
    maintype, _, subtype = (content_type or "application/octet-stream").partition("/")
    part = MIMEBase(maintype, subtype or "octet-stream")
    part.set_payload(content)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "inline", filename=filename)
    part.add_header("Content-ID", f"<{content_id}>")
    return part


def reply_email(message, config: EmailConfig, *, message_id: str) -> EmailMultiAlternatives:
    """Build the email for an agent's reply: From the inbox, To the customer (or their Reply-To), Cc the participants
    and whom the agent copied; Bcc whom the agent copied blind (never in a header)."""
    conversation = message.conversation
    to = _reply_recipients(conversation, config)
    if not to:
        raise DeliveryError(f"{conversation.contact} has no email address", permanent=True)
    sent_to = {address_key(a) for a in to}
    cc = [p.email for p in conversation.participants.all()
          if p.email and not config.is_own_address(p.email) and address_key(p.email) not in sent_to]
    # Addresses the agent copied this reply to, besides the conversation's usual participants.
    cc += [a for a in message.metadata.get("cc", ()) if address_key(a) not in sent_to | {address_key(c) for c in cc}]
    bcc = [a for a in message.metadata.get("bcc", ()) if address_key(a) not in sent_to | {address_key(c) for c in cc}]
    signature = (message.author.signature or "").strip() if message.author else ""
    text = message.text + (f"\n\n-- \n{signature}" if signature else "")
    html = (message.html or linebreaks(escape(message.text))) + (
        f'<p class="signature">-- <br>{linebreaks(escape(signature))}</p>' if signature else "") + _brand_footer()
    earlier = _thread_ids(conversation, before=message)
    headers = {"Message-ID": f"<{message_id}>", LOOP_HEADER: loop_token()}
    if message.metadata.get("automatic"):
        # RFC 3834: an automatic answer, which other responders must not answer in turn.
        headers.update({"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"})
    if earlier:
        headers["In-Reply-To"] = f"<{_last_inbound_id(conversation, earlier)}>"
        headers["References"] = _references(earlier)
    email = RelatedEmail(
        subject=reply_subject(conversation), body=text, from_email=formataddr((config.display_name, config.from_address)),
        to=to, cc=cc, bcc=bcc, headers=headers,
    )
    email.attach_alternative(html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            content = handle.read()
        if attachment.content_id:
            email.attach(inline_part(attachment.filename, content, attachment.content_type, attachment.content_id))
        else:
            email.attach(attachment.filename, content, attachment.content_type)
    return email


def _brand_footer() -> str:
    """The company's name in its colour, with its logo when it has one (Settings → Company), under the HTML part."""
    from django.urls import reverse

    from parley.company.selectors import company

    brand = company()
    logo = (f'<img src="{escape(settings.PARLEY_BASE_URL.rstrip("/") + reverse("company:logo", args=[brand.version]))}" '
            f'alt="" height="24" style="vertical-align:middle;margin-right:6px">' if brand.has_logo else "")
    return (f'<p class="company" style="margin-top:24px;border-top:2px solid {brand.color};padding-top:8px;'
            f'color:{brand.color};font-size:12px">{logo}{escape(brand.name)}</p>')


def reply_to_addresses(metadata: dict, config: EmailConfig) -> list[str]:
    """Return the Reply-To addresses a received mail asked answers to go to, leaving out the inbox's own."""
    return [a for a in (metadata or {}).get("reply_to", ()) if a and not config.is_own_address(a)]


def _reply_recipients(conversation, config: EmailConfig) -> list[str]:
    """Return where a reply goes: the Reply-To of the contact's latest mail when it had one, else the contact."""
    latest = (conversation.messages.filter(direction="in", sender_contact=conversation.contact)
              .order_by("-created_at", "-id").values_list("metadata", flat=True).first())
    address = _contact_address(conversation.contact)
    return reply_to_addresses(latest, config) or ([address] if address else [])


def _last_inbound_id(conversation, ids: list[str]) -> str:
    latest = (conversation.messages.filter(direction="in").exclude(external_id="")
              .order_by("-created_at", "-id").values_list("external_id", "metadata").first())
    if latest:
        message_id = (latest[1] or {}).get("message_id") or latest[0]
        if message_id in ids:
            return message_id
    return ids[-1]


def _contact_address(contact) -> str:
    if contact.email:
        return contact.email
    # An unverified sender is answered at the address their mail showed, as a mail client would.
    identity = (contact.identities.filter(kind__in=[IdentityKind.EMAIL, IdentityKind.UNVERIFIED_EMAIL])
                .order_by("kind").values_list("source_id", flat=True).first())
    return identity or ""
