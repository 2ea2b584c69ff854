"""The SMS channel's endpoints: inbound messages (answered with TwiML) and status callbacks."""
from django.http import FileResponse, HttpResponse, JsonResponse
from twilio.twiml.messaging_response import MessagingResponse

from parley.channels.models import InboundEnvelope
from parley.channels.sms.twilio import TwilioWebhook, twiml
from parley.channels.webhooks import Incoming
from parley.core.phones import phone_e164
from parley.core.errors import ApplicationError


def _sid(request, field: str) -> str:
    sid = request.POST.get(field, "")
    if not sid:
        raise ApplicationError(f"The request names no {field}.", extra={field: "required"}, status=400)
    return sid


class Messages(TwilioWebhook):
    """POST …/messages/: a text (or MMS) a customer sent; stored once per MessageSid, answered with TwiML."""

    kind = "sms"

    def incoming(self, request, inbox, **kwargs):
        from parley.channels.sms.adapter import keyword_of
        from parley.channels.sms.services import sms_opt_out_set

        sid = _sid(request, "MessageSid")
        keyword = keyword_of(request.POST.get("Body", ""))
        # Recorded here, with the envelope, so no reply queued after this instant goes out; a redelivered
        # STOP (arriving after a newer START) must not opt the customer out again.
        if keyword in ("stop", "start") and not InboundEnvelope.objects.filter(inbox=inbox, external_id=sid).exists():
            number = phone_e164(request.POST.get("From", "")) or request.POST.get("From", "")
            sms_opt_out_set(inbox=inbox, number=number, opted_out=keyword == "stop",
                            keyword=request.POST["Body"].strip().upper())
        return [Incoming(external_id=sid, payload={"event": "message", **request.POST.dict()})]

    def respond(self, request, inbox, stored, **kwargs) -> HttpResponse:
        from parley.channels.sms.adapter import keyword_of

        answer = MessagingResponse()
        if text := inbox.adapter.keyword_answer(inbox, keyword_of(request.POST.get("Body", ""))):
            answer.message(text)
        return twiml(answer)


class Status(TwilioWebhook):
    """POST …/status/: the provider's word on a reply (sent, delivered, undelivered …), once per (MessageSid, status)."""

    kind = "sms"
    checks_number = False

    def incoming(self, request, inbox, **kwargs):
        sid = _sid(request, "MessageSid")
        status = request.POST.get("MessageStatus", "")
        return [Incoming(external_id=f"{sid}:{status}", payload={"event": "status", **request.POST.dict()})]

    def respond(self, request, inbox, stored, **kwargs) -> HttpResponse:
        return twiml(MessagingResponse())


def media(request, inbox, token: str):
    """GET …/media/<token>/: a picture of a reply, for the provider to fetch and send as MMS."""
    from parley.channels.sms.adapter import media_attachment_id
    from parley.conversations.models import Attachment

    attachment = Attachment.objects.filter(pk=media_attachment_id(inbox, token) or 0,
                                           message__conversation__inbox=inbox).first()
    if attachment is None:
        return JsonResponse({"message": "This media link is not valid or has expired.", "extra": {"token": "invalid"}},
                            status=404)
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.filename)
