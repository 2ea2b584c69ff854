"""The API channel's inbound endpoint: another system posts its customers' messages here."""
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from parley.api.schemas import ObjectId
from parley.channels.api.schemas import InboundMessageIn, InboundResultOut
from parley.channels.api.services import api_message_accept
from parley.channels.models import Inbox

router = Router(tags=["API channel"])


@router.post("/inboxes/{inbox_id}/messages", response={200: InboundResultOut, 202: InboundResultOut})
def inbound_message_post(request, inbox_id: ObjectId, body: InboundMessageIn):
    """Post a customer's message to an API inbox: 202 when accepted, 200 with the first result for a repeated key.

    Agents' replies go back to the inbox's `callback_url` as a POST signed with the inbox's
    signing secret: `X-Parley-Timestamp: <unix seconds>` and
    `X-Parley-Signature: sha256=<hex HMAC-SHA256(signing_secret, "<timestamp>.<raw body>")>`.
    """
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    envelope, created = api_message_accept(inbox=inbox, payload=body.model_dump(mode="json"), actor=request.auth)
    message = envelope.message
    return Status(202 if created else 200, {
        "envelope_id": envelope.pk, "status": envelope.status, "error": envelope.last_error,
        "message_id": message.pk if message else None, "conversation_id": message.conversation_id if message else None,
    })
