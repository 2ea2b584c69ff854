"""The SMS channel: text messages (and MMS pictures) to and from one number, in the Twilio dialect.

Inbound messages continue the customer's open conversation (the number, in E.164, is the
identity); replies go out through the provider's Messages API and its status callbacks move
them forward. STOP, START and HELP are honoured as carriers require.
"""
import mimetypes

import httpx
from django.conf import settings
from django.core import signing
from django.utils import formats
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from pydantic import Field

from parley.channels.base import (
    AttachmentRules, Capabilities, ChannelAdapter, DeliveryError, DeliveryReport, DeliveryResult, Endpoint, InboundAttachment, InboundMessage,
)
from parley.channels.registry import register
from parley.channels.sms.twilio import TwilioAccountConfig, TwilioApi, number_address, plain_settings
from parley.core.phones import phone_e164

#: Replies longer than this many segments are refused in the composer (carriers concatenate up to about 10 reliably).
MAX_SEGMENTS = 10
#: What Twilio's Messages API carries as MMS (its "fully supported" types, 10 media and 5 MB per message).
MMS_RULES = AttachmentRules(types=("image/jpeg", "image/png", "image/gif"), max_bytes=5 * 1024 * 1024, max_count=10)
#: Twilio sends MMS only from US and Canadian numbers; from others the pictures would not arrive as pictures.
MMS_COUNTRY_PREFIXES = ("+1",)
#: How long the provider may fetch a reply's picture from its signed link.
MEDIA_LINK_SECONDS = 7 * 24 * 3600
MEDIA_SALT = "parley.sms.media"

# The keywords carriers and Twilio treat as opting out, back in, and asking for help.
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})

# Twilio's MessageStatus → Parley's delivery status; the others (accepted, queued, sending …) move nothing.
_STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "undelivered": "failed", "failed": "failed"}


def keyword_of(body: str) -> str:
    """Return "stop", "start" or "help" when the whole message is such a keyword, else ""."""
    word = (body or "").strip().strip(".!").upper()
    if word in OPT_OUT_KEYWORDS:
        return "stop"
    if word in OPT_IN_KEYWORDS:
        return "start"
    if word in HELP_KEYWORDS:
        return "help"
    return ""


class SmsInboxConfig(TwilioAccountConfig):
    """An SMS number: the provider account, and how Parley answers the carriers' keywords."""

    answer_keywords: bool = Field(True, title="Answer STOP, START and HELP",
                                  description="turn off when the provider's own opt-out management already answers them")
    help_reply: str = Field("", title="Answer to HELP", description="empty: a short line saying how to reach support and opt out")


@register
class SmsAdapter(ChannelAdapter):
    kind = "sms"
    label = gettext_lazy("SMS")
    continues_open_conversation = True
    capabilities = Capabilities(max_segments=MAX_SEGMENTS, attachments=MMS_RULES,
                                note=gettext_noop("pictures (MMS) both ways; replies with pictures only from US and Canadian numbers"))
    config_schema = SmsInboxConfig

    def endpoints(self) -> list[Endpoint]:
        from parley.channels.sms import webhooks

        return [
            Endpoint("messages/", webhooks.Messages(), per_inbox=True),
            Endpoint("status/", webhooks.Status(), per_inbox=True),
            # The provider fetches a reply's pictures from here; the signed token in the link is the credential.
            Endpoint("media/<str:token>/", webhooks.media, methods=("GET",), per_inbox=True),
            # One URL for every number of an account: the inbox is the one whose number was texted.
            Endpoint("messages/", webhooks.Messages()),
        ]

    def console_urls(self, inbox) -> list[tuple[str, str]]:
        from parley.channels.webhooks import endpoint_urls

        # Status callbacks are named in every message sent, so the console needs only the inbound URL.
        return [("A message comes in (POST)", next(url for url in endpoint_urls(inbox) if url.endswith("/messages/")))]

    def addresses(self, config: dict):
        return number_address(config)

    def parse(self, envelope):
        data = envelope.payload
        if data.get("event") == "status":
            return self._report(data)
        if not data.get("MessageSid") or not data.get("From"):
            raise ValueError("an inbound message needs MessageSid and From")
        number = phone_e164(data["From"]) or data["From"]
        return InboundMessage(
            external_id=data["MessageSid"], identity_kind="phone", source_id=number, contact_phone=number,
            text=data.get("Body", ""), attachments=self._media(envelope.inbox, data),
            metadata={"sms": {"keyword": keyword_of(data.get("Body", "")), "segments": int(data.get("NumSegments") or 1)}},
        )

    @staticmethod
    def _report(data: dict) -> DeliveryReport | None:
        status = _STATUSES.get(data.get("MessageStatus", ""))
        if status is None:
            return None
        reason = ""
        if status == "failed":
            reason = f"the carrier reported it {data['MessageStatus']}"
            if data.get("ErrorCode"):
                reason += f" (error {data['ErrorCode']}{': ' + data['ErrorMessage'] if data.get('ErrorMessage') else ''})"
        return DeliveryReport(external_id=data.get("MessageSid", ""), status=status, reason=reason)

    @staticmethod
    def _media(inbox, data: dict) -> tuple[InboundAttachment, ...]:
        """Fetch an MMS's media; a failure raises, so the envelope is retried rather than stored without its pictures."""
        api = TwilioApi(inbox.settings)
        attachments = []
        for index in range(int(data.get("NumMedia") or 0)):
            url = data.get(f"MediaUrl{index}")
            if not url:
                raise ValueError(f"MediaUrl{index} is missing")
            content_type = data.get(f"MediaContentType{index}") or "application/octet-stream"
            try:
                content = api.fetch(url).content
            except httpx.HTTPError as exc:
                raise ConnectionError(f"fetching MMS media {url} failed: {exc}") from exc
            extension = mimetypes.guess_extension(content_type) or ""
            attachments.append(InboundAttachment(filename=f"media-{index + 1}{extension}", content_type=content_type,
                                                 content=content))
        return tuple(attachments)

    def reply_refusal(self, conversation) -> str:
        from parley.channels.sms.selectors import customer_number, sms_opt_out_for

        number = customer_number(conversation)
        opt_out = sms_opt_out_for(inbox=conversation.inbox, number=number)
        if opt_out is None:
            return ""
        return gettext("%(number)s texted %(keyword)s on %(date)s and gets no more messages from this number until they "
                       "text START") % {"number": number, "keyword": opt_out.keyword,
                                        "date": formats.date_format(opt_out.changed_at, "DATETIME_FORMAT")}

    def send(self, message) -> DeliveryResult:
        from parley.channels.sms.selectors import customer_number
        from parley.channels.webhooks import endpoint_urls

        conversation = message.conversation
        inbox = conversation.inbox
        if refusal := self.reply_refusal(conversation):
            raise DeliveryError(refusal, permanent=True)
        number = customer_number(conversation)
        if not number:
            raise DeliveryError("the customer has no phone number", permanent=True)
        status_url = next(url for url in endpoint_urls(inbox) if url.endswith("/status/"))
        pictures = list(message.attachments.all())
        if pictures and not inbox.settings["number"].startswith(MMS_COUNTRY_PREFIXES):
            raise DeliveryError(f"{inbox.settings['number']} cannot send pictures: the provider sends MMS only from US and "
                                "Canadian numbers", permanent=True)
        answer = TwilioApi(inbox.settings).create("Messages", {
            "To": number, "From": inbox.settings["number"], "Body": message.text,
            "StatusCallback": status_url, "MediaUrl": [media_url(inbox, picture.pk) for picture in pictures],
        })
        return DeliveryResult(external_id=answer["sid"], status="sent")

    def keyword_answer(self, inbox, keyword: str) -> str:
        """Return what Parley texts back to a keyword, as carriers expect ("" when the provider answers)."""
        if not keyword or not plain_settings(inbox).get("answer_keywords", True):
            return ""
        if keyword == "stop":
            return "You have been unsubscribed and will get no more messages from this number. Reply START to resubscribe."
        if keyword == "start":
            return "You are subscribed again to messages from this number. Reply HELP for help, STOP to unsubscribe."
        return plain_settings(inbox).get("help_reply") or (
            f"{settings.PARLEY_COMPANY_NAME} support: reply to this number to reach us. Reply STOP to unsubscribe.")


def media_url(inbox, attachment_id: int) -> str:
    """Return the link the provider fetches a reply's picture from: signed, and valid for MEDIA_LINK_SECONDS."""
    token = signing.TimestampSigner(salt=MEDIA_SALT).sign(f"{inbox.pk}:{attachment_id}")
    return f"{settings.PARLEY_BASE_URL.rstrip('/')}/channels/sms/{inbox.key}/media/{token}/"


def media_attachment_id(inbox, token: str) -> int | None:
    """Return the attachment a media link names, or None when the link is forged, expired or for another inbox."""
    try:
        inbox_id, _, attachment_id = signing.TimestampSigner(salt=MEDIA_SALT).unsign(token, max_age=MEDIA_LINK_SECONDS).partition(":")
    except signing.BadSignature:
        return None
    return int(attachment_id) if inbox_id == str(inbox.pk) and attachment_id.isdigit() else None
