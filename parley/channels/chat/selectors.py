"""Reads of the chat channel: a visitor from their token, what their widget may show, what the agent sees of them."""
from django.core import signing
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import Availability, User
from parley.channels.chat.adapter import WIDGET_LANGUAGES
from parley.channels.chat.models import ChatVisitor
from parley.conversations.models import ACTIVE_STATUSES, Attachment, Conversation, Message, MessageKind
from parley.surveys.selectors import csat_will_ask

TOKEN_SALT = "parley.chat.visitor"
FILE_SALT = "parley.chat.file"
#: Shown in the widget as pictures; any other file is a link to download.
INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
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


#: The widget's own words, translated like the rest of Parley; the session hands them over in the visitor's language.
WIDGET_WORDS = {
    "title": _("Chat with us"), "send": _("Send"), "placeholder": _("Write a message…"),
    "offline": _("No one is available right now. Leave your email and we will answer by email."),
    "email": _("Your email"), "name": _("Your name"), "save": _("Save"), "start": _("Start chat"),
    "saved": _("Thanks, we will answer at "), "typing": _(" is typing…"), "someone": _("Someone"),
    "reconnecting": _("Reconnecting…"), "rate": _("How was this chat?"), "thanks": _("Thanks for your rating!"),
    "failed": _("Not sent: "), "close": _("Close"), "open": _("Open chat"), "refused": _("This chat is not available: "),
    "attach": _("Attach a file"), "emoji": _("Add an emoji"), "sending": _("Sending…"),
    "answered": _("You answered {score} out of {high}. Thank you!"), "comment": _("Anything you would like to add?"),
    "sendComment": _("Send comment"),
}


def widget_language(*, accept_language: str, default: str) -> str:
    """Return the first language of the visitor's browser the widget speaks, else the inbox's language."""
    for part in accept_language.split(","):
        base = part.split(";")[0].strip().split("-")[0].lower()
        if base in WIDGET_LANGUAGES:
            return base
    return default if default in WIDGET_LANGUAGES else "en"


def widget_words(language: str) -> dict[str, str]:
    """Return the widget's words in `language`."""
    with translation.override(language):
        return {key: str(text) for key, text in WIDGET_WORDS.items()}


def agents_available(*, inbox) -> bool:
    """Tell whether someone can chat now: the inbox's business calendar (Settings → Routing), when it keeps one, is
    open, and an agent is online (their own online/away/offline status)."""
    from parley.routing.selectors import calendar_for_inbox

    calendar = calendar_for_inbox(inbox=inbox)
    if calendar is not None and not calendar.schedule().is_open(timezone.now()):
        return False
    return User.objects.filter(is_active=True, availability=Availability.ONLINE).exists()


def visitor_is_connected(*, inbox, contact_id: int, now) -> bool:
    """Tell whether a widget of the contact is open on this inbox now (a socket that pinged lately)."""
    return ChatVisitor.objects.filter(inbox=inbox, contact_id=contact_id, connected_until__gt=now).exists()


def file_url(attachment: Attachment) -> str:
    """Return the widget's link to a file of its chat: signed, so only who was shown the message has it."""
    return reverse("chat:file", args=[signing.dumps(attachment.pk, salt=FILE_SALT)])


def attachment_from_link(signed: str) -> Attachment | None:
    """Return the file a widget link names, or None for a forged link or a file of a message that is not public."""
    try:
        pk = signing.loads(signed, salt=FILE_SALT)
    except signing.BadSignature:
        return None
    return Attachment.objects.filter(pk=pk, message__kind__in=VISIBLE_KINDS).first()


def message_shown(message: Message) -> dict:
    """Return a message as the widget shows it: text and files, the agent's first name and initials, never notes."""
    from_visitor = message.direction == "in"
    name = "" if from_visitor or not message.author else message.author.name
    shown = {"id": message.pk, "conversation_id": message.conversation_id, "text": message.text,
             "from": "visitor" if from_visitor else "agent", "author": name.split()[0] if name else "",
             "initials": "".join(part[0] for part in name.split()[:2]).upper(), "at": message.created_at.isoformat(),
             "files": [{"name": a.filename, "type": a.content_type, "size": a.size, "url": file_url(a),
                        "image": a.content_type in INLINE_IMAGE_TYPES} for a in message.attachments.all()]}
    if message.metadata.get("survey_id"):
        from parley.surveys.selectors import survey_card

        # The widget answers it in place; the text with its links stays for a transcript.
        shown["survey"] = survey_card(survey_id=message.metadata["survey_id"])
    return shown


def _visible(visitor: ChatVisitor):
    return (Message.objects.filter(conversation__inbox_id=visitor.inbox_id, conversation__contact_id=visitor.contact_id,
                                   kind__in=VISIBLE_KINDS).select_related("author").prefetch_related("attachments"))


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


#: Chats the tray shows at once; more wait in the list.
TRAY_SIZE = 8


def chat_tray(*, user) -> list[Conversation]:
    """Return the chats an agent juggles: going on, theirs or nobody's yet, newest first, each with `unread`.

    `unread` counts the customer's messages since the team's last reply: what still needs an answer.
    """
    from parley.conversations.selectors import visible_conversations, visible_inbox_ids

    last_reply = (Message.objects.filter(conversation=OuterRef("pk"), direction="out", kind=MessageKind.REPLY)
                  .order_by("-pk").values("pk")[:1])
    return list(
        visible_conversations(user=user).filter(inbox__kind="chat", inbox_id__in=visible_inbox_ids(user=user),
                                                status__in=ACTIVE_STATUSES)
        .filter(Q(assignee=user) | Q(assignee__isnull=True))
        .annotate(last_reply_id=Coalesce(Subquery(last_reply), 0))
        .annotate(unread=Count("messages", filter=Q(messages__direction="in", messages__pk__gt=F("last_reply_id"))))
        .select_related("contact").order_by("-last_message_at")[:TRAY_SIZE])


def solving_asks_csat(*, conversation_id: int) -> bool:
    """Tell whether the chat, just solved, gets the CSAT survey's card (then the widget asks for no rating of its own)."""
    conversation = Conversation.objects.select_related("contact", "inbox").filter(pk=conversation_id).first()
    return conversation is not None and csat_will_ask(conversation=conversation)
