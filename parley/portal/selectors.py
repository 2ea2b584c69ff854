"""Reads for the customer portal: which inbox takes the contact form, and what a customer may see."""
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, gettext_lazy

from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox
from parley.contacts.models import Contact, ContactIdentity, IdentityKind
from parley.conversations.models import Attachment, Conversation, Status
from parley.conversations.selectors import conversation_timeline
from parley.core.errors import NotFound

#: How a customer reads our statuses: whose move it is, not our internal workflow.
CUSTOMER_STATUS = {
    Status.NEW: gettext_lazy("In progress"),
    Status.OPEN: gettext_lazy("In progress"),
    Status.ON_HOLD: gettext_lazy("In progress"),
    Status.PENDING: gettext_lazy("Waiting for you"),
    Status.SOLVED: gettext_lazy("Solved"),
    Status.CLOSED: gettext_lazy("Solved"),
}


def webform_inbox() -> Inbox | None:
    """Return the inbox that receives the contact form: the first active web-form inbox."""
    return Inbox.objects.filter(kind="webform", is_active=True).order_by("pk").first()


def portal_contact(*, contact_id: int | None) -> Contact | None:
    """Return the signed-in customer's contact, following merges to the surviving record."""
    contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
    while contact is not None and contact.merged_into_id:
        contact = contact.merged_into
    return contact


def _contact_ids(contact: Contact) -> set[int]:
    """Return the contact's id and the ids of every contact merged into it, however deep."""
    ids, frontier = {contact.pk}, [contact.pk]
    while frontier:
        frontier = list(Contact.objects.filter(merged_into_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True))
        ids.update(frontier)
    return ids


def customer_conversations(*, contact: Contact) -> QuerySet:
    """Return the conversations a customer may see: their own and those they are copied on, newest first."""
    ids = _contact_ids(contact)
    visible = Conversation.objects.filter(Q(contact_id__in=ids) | Q(participants__in=ids)).values("pk")
    return (Conversation.objects.filter(pk__in=visible, merged_into__isnull=True)
            .select_related("custom_status").order_by("-last_message_at", "-id"))


def customer_conversation(*, contact: Contact, conversation_id: int) -> Conversation:
    """Return one of the customer's conversations; anyone else's is simply not found."""
    conversation = customer_conversations(contact=contact).select_related("inbox").filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(gettext("No such request."))
    return conversation


def customer_timeline(*, conversation: Conversation) -> QuerySet:
    """Return what the customer sees of a conversation: public replies only, never notes or events."""
    return conversation_timeline(conversation=conversation, include_private=False)


def customer_attachment(*, contact: Contact, conversation_id: int, attachment_id: int) -> Attachment:
    """Return an attachment of a public message in one of the customer's conversations."""
    conversation = customer_conversation(contact=contact, conversation_id=conversation_id)
    attachment = (Attachment.objects.filter(pk=attachment_id, message__in=customer_timeline(conversation=conversation))
                  .first())
    if attachment is None:
        raise NotFound(gettext("No such attachment."))
    return attachment


def customer_status_label(conversation: Conversation) -> str:
    """Return the conversation's status in the customer's terms."""
    return str(CUSTOMER_STATUS.get(conversation.status, CUSTOMER_STATUS[Status.OPEN]))


def login_contact_for_email(*, email: str) -> Contact | None:
    """Return the live contact an email address belongs to, or None for an unknown address."""
    email = email.strip().lower()
    if not email:
        return None
    contact = Contact.objects.filter(email__iexact=email).order_by("pk").first()
    if contact is None:
        identity = ContactIdentity.objects.filter(kind=IdentityKind.EMAIL, source_id=email).select_related("contact").first()
        contact = identity.contact if identity else None
    return portal_contact(contact_id=contact.pk) if contact else None


def submission_request_number(*, envelope_id: int | None) -> int | None:
    """Return the request number a contact-form submission became, or None while it waits to be processed."""
    envelope = InboundEnvelope.objects.filter(pk=envelope_id).select_related("message").first() if envelope_id else None
    return envelope.message.conversation_id if envelope and envelope.message else None


def customer_pending_replies(*, conversation: Conversation) -> list[str]:
    """Return the texts of portal replies to `conversation` that are stored but not yet in its timeline."""
    from parley.channels.services import INBOUND_KEY

    pending = InboundEnvelope.objects.filter(inbox_id=conversation.inbox_id, status=EnvelopeStatus.RECEIVED,
                                             **{f"payload__{INBOUND_KEY}__conversation_id": conversation.pk})
    return [envelope.payload[INBOUND_KEY]["text"] for envelope in pending.order_by("received_at")]
