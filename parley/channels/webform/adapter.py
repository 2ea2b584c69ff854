"""The web form channel: the contact form in the customer portal; replies go out by email."""
import base64
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from parley.channels.base import (
    AttachmentRules, Capabilities, ChannelAdapter, DeliveryError, DeliveryResult, InboundAttachment, InboundMessage,
)
from parley.channels.registry import register
from parley.company.selectors import company
from parley.core.i18n import in_language_of


@register
class WebFormAdapter(ChannelAdapter):
    kind = "webform"
    label = gettext_lazy("Web form")
    # The reply is emailed as plain text with a link to the help center, where the customer also
    # finds its attachments.
    capabilities = Capabilities(html=False, attachments=AttachmentRules(),
                                note=gettext_noop("sent by email with a link to the help center"))

    def parse(self, envelope) -> InboundMessage:
        data = envelope.payload
        email = (data.get("email") or "").strip().lower()
        if not email:
            raise ValueError("email is required")
        return InboundMessage(
            external_id=envelope.external_id, identity_kind="email", source_id=email, contact_email=email,
            contact_name=data.get("name", ""), contact_language=data.get("language", ""), subject=data.get("subject", ""), text=data.get("message", ""),
            attachments=tuple(
                InboundAttachment(filename=a["filename"], content_type=a.get("content_type", "application/octet-stream"),
                                  content=base64.b64decode(a["content_base64"]))
                for a in data.get("attachments", [])
            ),
        )

    def embed_snippet(self, inbox) -> str:
        # The form lives in the help center; a site links to it.
        url = settings.PARLEY_BASE_URL.rstrip("/") + reverse("portal:contact")
        return f'<a href="{url}">Contact us</a>'

    def acknowledgement(self, conversation) -> str:
        # The form's thank-you page promises this email, with the request number.
        return gettext("Thank you for contacting %(company)s. We received your request and will answer by email as soon "
                       "as we can.\n\nYour request number is #%(number)s.") % {"company": company().name,
                                                                               "number": conversation.number}

    def send(self, message) -> DeliveryResult:
        """Email the reply to the customer with a link to the request in the portal."""
        conversation = message.conversation
        recipient = conversation.contact.email
        if not recipient:
            raise DeliveryError("the customer has no email address", permanent=True)
        link = settings.PARLEY_BASE_URL + reverse("portal:request", args=[conversation.pk])
        with in_language_of(conversation.contact):
            subject = (f"Re: {conversation.subject} [#{conversation.number}]" if conversation.subject
                       else gettext("Your request #%(number)s") % {"number": conversation.number})
            body = f"{message.text}\n\n—\n" + gettext("See your request and reply: %(link)s") % {"link": link} + "\n"
        headers = {"Auto-Submitted": "auto-replied"} if message.metadata.get("automatic") else {}
        try:
            EmailMessage(subject=subject, body=body, from_email=company().default_sender, to=[recipient],
                         headers=headers).send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"the mail server refused {recipient}: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"sending the email failed: {exc}") from exc
        return DeliveryResult(status="sent")
