"""Accept a customer message posted to an API inbox: check it, then store it as an envelope."""
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.channels.api.adapter import ApiAdapter
from parley.channels.models import InboundEnvelope, Inbox
from parley.channels.services import envelope_store
from parley.conversations.models import Conversation
from parley.conversations.services.common import attachments_validate
from parley.core.errors import ApplicationError, ValidationFailed


def api_message_accept(*, inbox: Inbox, payload: dict, actor) -> tuple[InboundEnvelope, bool]:
    """Store a posted customer message once per idempotency key; return (envelope, created).

    Everything that would make processing fail for certain (a wrong inbox, an oversized
    attachment, a conversation of another inbox) is refused here, before anything is stored.
    """
    require(actor, "inbound.post")
    if inbox.kind != ApiAdapter.kind:
        raise ValidationFailed(gettext("Only inboxes of kind “%(kind)s” accept messages over the API; this one is “%(this)s”.")
                               % {"kind": ApiAdapter.kind, "this": inbox.kind},
                               extra={"inbox_id": f"inbox is of kind {inbox.kind}"})
    if not inbox.is_active:
        raise ValidationFailed(gettext("This inbox is deactivated."), extra={"inbox_id": "inactive"})
    key = payload["idempotency_key"]
    try:
        attachments_validate(ApiAdapter.attachments(payload))
        conversation_id = payload.get("conversation_id")
        if conversation_id and not Conversation.objects.filter(pk=conversation_id, inbox=inbox).exists():
            raise ValidationFailed(gettext("Conversation %(number)s is not in this inbox.") % {"number": conversation_id},
                                   extra={"conversation_id": "not in this inbox"})
    except ApplicationError:
        # A repeated key answers with the first result, whatever the repeat carries.
        earlier = InboundEnvelope.objects.filter(inbox=inbox, external_id=key).first()
        if earlier is not None:
            return earlier, False
        raise
    # A repeated key is found by the unique index as the envelope is stored, not by a read before every write.
    return envelope_store(inbox=inbox, external_id=key, payload=payload)
