"""Reads of the chat channel: a visitor from their token, what their widget may show, what the agent sees of them."""
from django.core import signing

from parley.accounts.models import Availability, User
from parley.channels.chat.models import ChatVisitor
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Message, MessageKind

TOKEN_SALT = "parley.chat.visitor"
#: Messages a reconnecting widget gets at most in one answer; it asks again from the last one.
HISTORY_LIMIT = 200
VISIBLE_KINDS = (MessageKind.REPLY, MessageKind.BOT)


def visitor_token(visitor: ChatVisitor) -> str:
    """Return the token the widget keeps: signed, naming the visitor and the inbox, nothing else."""
    # No timestamp: one visitor always has the same token, so the widget can tell a new visitor by a new token.
    return signing.Signer(salt=TOKEN_SALT).sign_object({"v": str(visitor.public_id), "i": visitor.inbox_id})


def visitor_from_token(*, inbox, token: str) -> ChatVisitor | None:
    """Return the visitor a token names, or None for a forged token, one of another inbox, or a visitor gone."""
    try:
        data = signing.Signer(salt=TOKEN_SALT).unsign_object(token or "")
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("i") != inbox.pk:
        return None
    return ChatVisitor.objects.filter(public_id=data.get("v"), inbox=inbox).select_related("inbox").first()


def agents_available() -> bool:
    """Tell whether an agent is online to chat now (their own online/away/offline status)."""
    return User.objects.filter(is_active=True, availability=Availability.ONLINE).exists()


def visitor_is_connected(*, inbox, contact_id: int, now) -> bool:
    """Tell whether a widget of the contact is open on this inbox now (a socket that pinged lately)."""
    return ChatVisitor.objects.filter(inbox=inbox, contact_id=contact_id, connected_until__gt=now).exists()


def message_shown(message: Message) -> dict:
    """Return a message as the widget shows it: text only, the agent's first name, never notes or internals."""
    from_visitor = message.direction == "in"
    author = "" if from_visitor else (message.author.name.split()[0] if message.author and message.author.name else "")
    return {"id": message.pk, "conversation_id": message.conversation_id, "text": message.text,
            "from": "visitor" if from_visitor else "agent", "author": author, "at": message.created_at.isoformat()}


def _visible(visitor: ChatVisitor):
    return (Message.objects.filter(conversation__inbox_id=visitor.inbox_id, conversation__contact_id=visitor.contact_id,
                                   kind__in=VISIBLE_KINDS).select_related("author"))


def messages_since(*, visitor: ChatVisitor, after_id: int = 0) -> list[dict]:
    """Return the visitor's messages newer than `after_id`, oldest first (a reconnect's fetch-since)."""
    if visitor.contact_id is None:
        return []
    return [message_shown(m) for m in _visible(visitor).filter(pk__gt=after_id).order_by("pk")[:HISTORY_LIMIT]]


def message_for_visitor(*, visitor: ChatVisitor, message_id: int) -> dict | None:
    """Return one message if this visitor may see it (theirs, public, in this inbox), else None."""
    if visitor.contact_id is None:
        return None
    found = _visible(visitor).filter(pk=message_id).first()
    return message_shown(found) if found else None


def open_conversation_id(*, visitor: ChatVisitor) -> int | None:
    """Return the visitor's conversation still going on in this inbox, if any."""
    if visitor.contact_id is None:
        return None
    return (Conversation.objects.filter(inbox_id=visitor.inbox_id, contact_id=visitor.contact_id, status__in=ACTIVE_STATUSES)
            .order_by("-last_message_at").values_list("pk", flat=True).first())


def visitor_of_conversation(*, conversation: Conversation) -> ChatVisitor | None:
    """Return the visitor behind a chat conversation (the most recently seen one), for the agent's customer panel."""
    if conversation.inbox.kind != "chat":
        return None
    return (ChatVisitor.objects.filter(inbox_id=conversation.inbox_id, contact_id=conversation.contact_id)
            .order_by("-last_seen_at").first())
