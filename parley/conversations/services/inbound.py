"""A customer's message arrives: resolve who sent it, thread it, store it, announce it."""
from django.utils import timezone

from parley.channels.base import InboundMessage
from parley.contacts.services import contact_resolve_identity
from parley.conversations.models import ACTIVE_STATUSES, Conversation, DeliveryStatus, Direction, Message, MessageKind, Status
from parley.conversations.services.actions import _apply_status, conversation_create
from parley.conversations.services.common import attachments_store, attachments_validate, event_message, preview_of
from parley.core import events
from parley.core.models import surviving
from parley.core.html import sanitize_html
from parley.core.rows import atomic_without_savepoint


def _thread(inbox, contact, inbound: InboundMessage) -> Conversation | None:
    """Find the conversation this message continues, or None for a new one."""
    if inbound.conversation_id:
        found = Conversation.objects.filter(pk=inbound.conversation_id, inbox=inbox).first()
        if found:
            return surviving(found)
    if inbound.thread_refs:
        earlier = (Message.objects.filter(conversation__inbox=inbox, external_id__in=inbound.thread_refs)
                   .select_related("conversation").order_by("-created_at").first())
        if earlier:
            return surviving(earlier.conversation)
    if inbox.adapter.continues_open_conversation:
        return Conversation.objects.filter(inbox=inbox, contact=contact, status__in=ACTIVE_STATUSES).order_by("-last_message_at").first()
    return None


@atomic_without_savepoint
def message_receive(*, inbox, inbound: InboundMessage, received_at=None) -> Message:
    """Store a customer's message in the right conversation; idempotent on the provider's id."""
    existing = Message.objects.filter(conversation__inbox=inbox, direction=Direction.INBOUND, external_id=inbound.external_id).first()
    if existing:
        return existing
    attachments_validate(inbound.attachments)
    contact = contact_resolve_identity(inbox=inbox, kind=inbound.identity_kind, network=inbound.identity_network,
                                       source_id=inbound.source_id, name=inbound.contact_name, email=inbound.contact_email,
                                       phone=inbound.contact_phone, language=inbound.contact_language)
    now = received_at or timezone.now()
    # Machine-sent mail (out of office, list mail, read receipts): the channel says so in metadata["auto_reply"].
    automatic = bool(inbound.metadata.get("auto_reply"))
    conversation = _follow_up_target(inbox, inbound) if inbound.follow_up_of else _thread(inbox, contact, inbound)
    if conversation is None:
        subject = inbound.subject or preview_of(inbound.text)[:80]
        conversation = conversation_create(inbox=inbox, contact=contact, subject=subject, created_at=now)
        conversation.started_automatic = automatic
        if inbound.follow_up_of:
            _link_follow_up(conversation, inbound.follow_up_of, at=now)
    else:
        if contact.pk != conversation.contact_id:
            # Someone else writing into the thread (a CC'd colleague) takes part in it from now on.
            conversation.participants.add(contact)
        if not automatic:
            conversation.started_automatic = False
    message = Message.objects.create(
        conversation=conversation, direction=Direction.INBOUND, kind=MessageKind.REPLY, sender_contact=contact,
        text=inbound.text, html=sanitize_html(inbound.html), external_id=inbound.external_id,
        delivery_status=DeliveryStatus.RECEIVED, created_at=now, metadata=inbound.metadata,
    )
    attachments_store(message, inbound.attachments)
    if inbound.participants:
        _add_participants(inbox, conversation, contact, inbound.participants)
    # An automatic message is kept but is nobody's answer: a solved conversation stays solved and one waiting on
    # the customer keeps waiting (and its clocks keep running from the customer's last real message).
    if not automatic and conversation.status in (Status.SOLVED, Status.CLOSED, Status.PENDING, Status.ON_HOLD):
        _apply_status(conversation, Status.OPEN, actor=None, at=now)
    conversation.last_message_at = max(conversation.last_message_at, now)
    if not automatic:
        conversation.last_inbound_at = now
    conversation.inbound_count += 1
    conversation.preview = preview_of(inbound.text)
    conversation.save()
    events.publish("message.received", {"message_id": message.pk, "conversation_id": conversation.pk,
                                        "inbox_id": inbox.pk, "contact_id": contact.pk})
    return message


def _follow_up_target(inbox, inbound: InboundMessage) -> Conversation | None:
    """Return None (a follow-up opens a new conversation), or the closed one itself for an automatic message.

    An out-of-office answer to a closed conversation belongs on it, not in a new conversation an agent must handle.
    """
    if not inbound.metadata.get("auto_reply"):
        return None
    earlier = Conversation.objects.filter(pk=inbound.follow_up_of, inbox=inbox).first()
    return surviving(earlier) if earlier else None


def _link_follow_up(conversation: Conversation, earlier_id: int, *, at) -> None:
    """Relate a follow-up to the closed conversation it continues; both timelines say so."""
    earlier = Conversation.objects.filter(pk=earlier_id, inbox=conversation.inbox).first()
    if earlier is None:
        return
    conversation.related.add(earlier)
    event_message(conversation, f"Follow-up to closed conversation #{earlier.pk}.", data={"linked": earlier.pk}, at=at)
    event_message(earlier, f"The customer wrote again after this was closed: follow-up #{conversation.pk}.",
                  data={"linked": conversation.pk}, at=at)


def _add_participants(inbox, conversation: Conversation, sender, participants) -> None:
    from parley.contacts.models import IdentityKind

    for name, address in participants:
        person = contact_resolve_identity(inbox=inbox, kind=IdentityKind.EMAIL, source_id=address, name=name)
        if person.pk != sender.pk and person.pk != conversation.contact_id:
            conversation.participants.add(person)
