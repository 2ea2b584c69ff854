"""Pieces the conversation services share: attachments, system events, previews."""
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext

from parley.conversations.models import Attachment, Conversation, DeliveryStatus, Direction, Message, MessageKind
from parley.core.actors import describe, is_person
from parley.core.errors import PayloadTooLarge
from parley.core.filenames import display_filename, storage_filename


def attachments_validate(attachments) -> None:
    """Refuse the whole message before anything is stored when one attachment is too large."""
    limit = settings.PARLEY_MAX_ATTACHMENT_BYTES
    for attachment in attachments:
        if len(attachment.content) > limit:
            raise PayloadTooLarge(
                gettext("Attachment “%(file)s” is %(size)s bytes; the limit is %(limit)s.")
                % {"file": attachment.filename, "size": len(attachment.content), "limit": limit},
                extra={"attachments": f"{attachment.filename}: larger than {limit} bytes", "limit": limit},
            )


def attachments_store(message: Message, attachments) -> None:
    """Store each file under a generated name; the sender's name is only a label, so no name can lose a message."""
    for attachment in attachments:
        record = Attachment(message=message, filename=display_filename(attachment.filename),
                            content_type=(attachment.content_type or "application/octet-stream")[:120],
                            size=len(attachment.content), content_id=(getattr(attachment, "content_id", None) or "")[:255])
        record.file.save(storage_filename(attachment.filename), ContentFile(attachment.content), save=False)
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
