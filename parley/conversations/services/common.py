"""Pieces the conversation services share: attachments, system events, previews."""
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from parley.conversations.models import Attachment, Conversation, DeliveryStatus, Direction, Message, MessageKind
from parley.core.actors import describe, is_person
from parley.core.errors import PayloadTooLarge, ValidationFailed


def attachments_validate(attachments) -> None:
    """Refuse the whole message before anything is stored when one attachment is too large."""
    limit = settings.PARLEY_MAX_ATTACHMENT_BYTES
    for attachment in attachments:
        if len(attachment.content) > limit:
            raise PayloadTooLarge(
                f"Attachment {attachment.filename!r} is {len(attachment.content)} bytes; the limit is {limit}.",
                extra={"attachments": f"{attachment.filename}: larger than {limit} bytes", "limit": limit},
            )
        if not attachment.filename:
            raise ValidationFailed("Every attachment needs a file name.", extra={"attachments": "filename required"})


def attachments_store(message: Message, attachments) -> None:
    for attachment in attachments:
        record = Attachment(message=message, filename=attachment.filename[:255],
                            content_type=attachment.content_type or "application/octet-stream",
                            size=len(attachment.content), content_id=getattr(attachment, "content_id", None) or "")
        record.file.save(attachment.filename[:200], ContentFile(attachment.content), save=False)
        record.save()


def preview_of(text: str) -> str:
    return " ".join(text.split())[:200]


def event_message(conversation: Conversation, text: str, *, actor=None, data: dict | None = None, at=None) -> Message:
    """Add a system event to the timeline ("Ana assigned this to Support", "rule 'VIP' escalated …")."""
    message = event_message_build(conversation, text, actor=actor, data=data, at=at)
    message.save()
    return message


def event_message_build(conversation: Conversation, text: str, *, actor=None, data: dict | None = None, at=None) -> Message:
    """Return the timeline event event_message would store, unsaved, for services that store many at once."""
    metadata = dict(data or {})
    if actor is not None and not is_person(actor):
        metadata["actor"] = describe(actor)
    return Message(
        conversation=conversation, direction=Direction.OUTBOUND, kind=MessageKind.EVENT,
        author=actor if is_person(actor) and actor.pk else None,
        text=text, delivery_status=DeliveryStatus.SENT, created_at=at or timezone.now(), metadata=metadata,
    )
