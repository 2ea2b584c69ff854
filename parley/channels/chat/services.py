"""Every write of the chat channel: sessions, visitor messages, context, identity, rating, ending and transfer."""
import base64
import hashlib
import hmac
import json
from datetime import timedelta

from django.core.validators import validate_email
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from parley.channels.base import InboundAttachment
from parley.channels.chat.adapter import MAX_MESSAGE_CHARS, ChatAdapter
from parley.channels.chat.models import ChatRating, ChatVisitor
from parley.channels.chat.selectors import VISIBLE_KINDS
from parley.channels.models import Inbox
from parley.channels.services import envelope_receive_now
from parley.contacts.services import contact_resolve_identity, contact_update
from parley.conversations.models import Conversation, Message, Status
from parley.conversations.services import conversation_assign, conversation_set_status, message_note
from parley.conversations.services.common import event_message
from parley.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed

#: A socket counts as open this long after its last recorded sign of life (the widget pings every 25 seconds).
CONNECTED_SECONDS = 120
MAX_CONTEXT_BYTES = 16_000
PAGES_KEPT = 20


def identity_hash(*, secret: str, user_id: str) -> str:
    """Return what the host site's backend computes for a logged-in user: hex HMAC-SHA256(secret, id)."""
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def _verified_contact(inbox: Inbox, identity: dict):
    secret = inbox.settings.get("identity_secret") or ""
    user_id = str(identity.get("id") or "").strip()
    if not secret:
        raise PermissionDenied(gettext("This chat does not verify identities; set an identity secret on the inbox first."),
                               extra={"identity": "identity verification is not set up"})
    if not user_id:
        raise ValidationFailed(gettext("An identity needs the user's id."), extra={"identity.id": "required"})
    if not hmac.compare_digest(identity_hash(secret=secret, user_id=user_id), str(identity.get("hash") or "")):
        raise PermissionDenied(gettext("The identity could not be verified: its hash does not match."),
                               extra={"identity.hash": "does not match HMAC-SHA256(identity secret, id)"})
    email = str(identity.get("email") or "").strip()
    return user_id, contact_resolve_identity(inbox=inbox, kind="external_id", source_id=user_id,
                                             name=str(identity.get("name") or "")[:200], email=email)


@transaction.atomic
def chat_session_open(*, inbox: Inbox, visitor: ChatVisitor | None, identity: dict | None = None,
                      referrer: str = "", user_agent: str = "") -> ChatVisitor:
    """Return the widget's visitor: the one its token names, or a new one; link a verified identity to its contact.

    A forged identity (its hash does not match) is refused and changes nothing. An anonymous
    visitor who logs in keeps their conversation: their contact is merged into the verified one.
    """
    if visitor is None:
        visitor = ChatVisitor.objects.create(inbox=inbox, referrer=referrer[:1000], user_agent=user_agent[:500])
    if identity:
        user_id, contact = _verified_contact(inbox, identity)
        if visitor.verified_id and visitor.verified_id != user_id:
            # Another user logged in on this browser: they get a visitor of their own, not the last one's chat.
            visitor = ChatVisitor.objects.create(inbox=inbox, referrer=referrer[:1000], user_agent=user_agent[:500])
        if visitor.contact_id and visitor.contact_id != contact.pk and not visitor.verified_id:
            from parley.contacts.services import contact_merge

            contact = contact_merge(keep=contact, merge=visitor.contact)
        visitor.verified_id, visitor.contact = user_id, contact
    visitor.last_seen_at = timezone.now()
    visitor.save()
    return visitor


def chat_message_post(*, visitor: ChatVisitor, text: str, client_id: str, files: tuple[InboundAttachment, ...] = ()) -> Message:
    """Store a visitor's message as an envelope (raw first, idempotent on the widget's id) and process it now.

    The widget resends a message it has no acknowledgement for under the same `client_id`,
    so a reconnect never makes a duplicate. Processing in the same transaction keeps chat live
    without waiting for a worker; a job retries the envelope only when processing fails. A file
    (the widget's upload) must fit the chat's attachment rules, or nothing is stored.
    """
    text = (text or "").strip()
    if not text and not files:
        raise ValidationFailed(gettext("A message needs text."), extra={"text": "required"})
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(gettext("A chat message holds at most %(max)s characters.") % {"max": MAX_MESSAGE_CHARS},
                               extra={"text": "too long"})
    refused = ChatAdapter.capabilities.refusals(text="", attachments=files, now=timezone.now()) if files else {}
    if refused:
        raise ValidationFailed(gettext("This file cannot be sent: %(reason)s.") % {"reason": refused["attachments"]}, extra=refused)
    client_id = str(client_id or "").strip()[:100]
    if not client_id:
        raise ValidationFailed(gettext("A message needs the widget's id for it."), extra={"client_id": "required"})
    payload = {"visitor": str(visitor.public_id), "text": text, "client_id": client_id}
    if files:
        payload["attachments"] = [{"filename": f.filename, "content_type": f.content_type,
                                   "content_base64": base64.b64encode(f.content).decode()} for f in files]
    envelope = envelope_receive_now(inbox=visitor.inbox, external_id=f"chat:{visitor.public_id}:{client_id}", payload=payload)
    message = envelope.message
    if visitor.contact_id != message.sender_contact_id:
        visitor.contact_id = message.sender_contact_id
        ChatVisitor.objects.filter(pk=visitor.pk).update(contact_id=visitor.contact_id)
    return message


def chat_visitor_seen(*, visitor: ChatVisitor, connected: bool = True) -> None:
    """Record that the visitor's widget is open (a connect or a ping) or has just closed."""
    now = timezone.now()
    visitor.connected_until = now + timedelta(seconds=CONNECTED_SECONDS) if connected else now
    ChatVisitor.objects.filter(pk=visitor.pk).update(connected_until=visitor.connected_until, last_seen_at=now)


def chat_context_set(*, visitor: ChatVisitor, context) -> ChatVisitor:
    """Keep what the host page passed to Parley.setContext (a JSON object, at most 16 KB) for the agent's panel."""
    if not isinstance(context, dict):
        raise ValidationFailed(gettext("The context must be an object."), extra={"context": "must be an object"})
    if len(json.dumps(context)) > MAX_CONTEXT_BYTES:
        raise ValidationFailed(gettext("The context is larger than %(max)s KB.") % {"max": MAX_CONTEXT_BYTES // 1000},
                               extra={"context": "too large"})
    visitor.context = context
    ChatVisitor.objects.filter(pk=visitor.pk).update(context=context)
    return visitor


def chat_page_view(*, visitor: ChatVisitor, url: str, title: str = "") -> ChatVisitor:
    """Add a page the visitor opened to their trail (the last few are kept)."""
    url = str(url or "")[:1000]
    if not url.startswith(("http://", "https://")):
        raise ValidationFailed(gettext("A page needs its http(s) URL."), extra={"url": "must be an http(s) URL"})
    visitor.pages = [*visitor.pages, {"url": url, "title": str(title or "")[:200], "at": timezone.now().isoformat()}][-PAGES_KEPT:]
    ChatVisitor.objects.filter(pk=visitor.pk).update(pages=visitor.pages)
    return visitor


@transaction.atomic
def chat_details_set(*, visitor: ChatVisitor, name: str = "", email: str = "") -> ChatVisitor:
    """Keep the name and email the visitor typed (pre-chat or offline form); replies can then follow by email."""
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed(gettext("That email address does not look right."), extra={"email": "not an email address"}) from None
    visitor.name, visitor.email = (name or visitor.name).strip()[:200], email or visitor.email
    visitor.save(update_fields=["name", "email"])
    if visitor.contact_id:
        contact = visitor.contact
        changes = {}
        if visitor.name and contact.name in ("", visitor.placeholder_name):
            changes["name"] = visitor.name
        if visitor.email and visitor.email != contact.email:
            changes["email"] = visitor.email
        if changes:
            contact_update(contact=contact, **changes)
    return visitor


def chat_messages_seen(*, visitor: ChatVisitor, up_to_id) -> int:
    """Mark the agents' replies this visitor has now seen (up to a message id) as read; return how many moved.

    Read receipts: the agent's timeline shows each reply's delivery moving to "read".
    """
    from parley.conversations.models import DeliveryStatus, Direction
    from parley.conversations.services import message_set_delivery

    if isinstance(up_to_id, bool) or not isinstance(up_to_id, int):
        raise ValidationFailed(gettext("message_id must be a message id."), extra={"message_id": "must be a whole number"})
    if visitor.contact_id is None:
        return 0
    unread = (Message.objects.filter(conversation__inbox_id=visitor.inbox_id, conversation__contact_id=visitor.contact_id,
                                     direction=Direction.OUTBOUND, kind__in=VISIBLE_KINDS, pk__lte=up_to_id)
              .exclude(delivery_status__in=(DeliveryStatus.READ, DeliveryStatus.FAILED)).order_by("-pk")[:50])
    for message in unread:
        message_set_delivery(message=message, status=DeliveryStatus.READ)
    return len(unread)


def chat_greeting_due(*, visitor: ChatVisitor) -> bool:
    """Tell whether the proactive greeting may show now, and if so record that it did (once per visitor per day)."""
    today = timezone.localdate()
    return ChatVisitor.objects.filter(pk=visitor.pk).exclude(greeted_on=today).update(greeted_on=today) == 1


def _visitors_conversation(visitor: ChatVisitor, conversation_id) -> Conversation:
    conversation = Conversation.objects.filter(pk=conversation_id, inbox_id=visitor.inbox_id).first()
    if conversation is None or visitor.contact_id is None or conversation.contact_id != visitor.contact_id:
        raise NotFound(gettext("No such chat."), extra={"conversation_id": "not one of this visitor's chats"})
    return conversation


@transaction.atomic
def chat_rate(*, visitor: ChatVisitor, conversation_id: int, score, comment: str = "") -> ChatRating:
    """Record the visitor's rating of one of their chats (1–5; a thumb up is 5, down 1); a second rating replaces it."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(gettext("A rating is a whole number from 1 to 5."), extra={"score": "must be 1 to 5"})
    conversation = _visitors_conversation(visitor, conversation_id)
    rating, _ = ChatRating.objects.update_or_create(conversation=conversation,
                                                    defaults={"score": score, "comment": str(comment or "")[:1000]})
    event_message(conversation, f"The customer rated this chat {score}/5.", data={"chat_rating": score})
    return rating


@transaction.atomic
def chat_survey_answer(*, visitor: ChatVisitor, survey_id, score=None, comment: str = "") -> dict:
    """Record a visitor's answer to a survey card in their widget: the score (once), then a comment (once).

    Only a survey about one of the visitor's own chats is theirs to answer; any other is refused as unknown.
    Returns the card as the widget shows it now.
    """
    from parley.surveys.models import Survey
    from parley.surveys.selectors import survey_card
    from parley.surveys.services import survey_add_comment, survey_answer

    survey = Survey.objects.filter(pk=survey_id if isinstance(survey_id, int) else None).first()
    if survey is None or survey.conversation_id is None:
        raise NotFound(gettext("No such survey."), extra={"survey_id": "not one of this visitor's surveys"})
    _visitors_conversation(visitor, survey.conversation_id)
    comment = str(comment or "")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int):
            raise ValidationFailed(gettext("A score is a whole number."), extra={"score": "not a number"})
        survey_answer(survey=survey, score=score, comment=comment)
    elif comment:
        survey_add_comment(survey=survey, comment=comment)
    else:
        raise ValidationFailed(gettext("Choose a score or write a comment."), extra={"score": "required"})
    return survey_card(survey_id=survey.pk)


@transaction.atomic
def chat_end(*, conversation: Conversation, actor) -> Conversation:
    """End a chat for an agent: the conversation is solved, and the visitor's widget offers to rate it."""
    if conversation.inbox.kind != "chat":
        raise ApplicationError(gettext("Only a chat can be ended."), extra={"conversation": "not a chat"})
    event_message(conversation, f"{actor} ended the chat.", actor=actor)
    return conversation_set_status(conversation=conversation, actor=actor, status=Status.SOLVED)


@transaction.atomic
def chat_transfer(*, conversation: Conversation, actor, assignee=None, team=None, note: str = "") -> Conversation:
    """Hand a chat to another agent or team, with a note the next person reads first."""
    if assignee is None and team is None:
        raise ValidationFailed(gettext("Transfer to an agent or a team."), extra={"assignee": "choose an agent or a team"})
    conversation = conversation_assign(conversation=conversation, actor=actor, assignee=assignee, team=team)
    if note.strip():
        message_note(conversation=conversation, author=actor, text=note.strip())
    return conversation
