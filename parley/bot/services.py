"""The bot: reads each customer message on inboxes where it is on, answers from the help center or hands over.

It runs as a durable subscriber of message.received (parley/subscriptions.py), so it answers at
least once and never twice (one BotTurn per message). It replies through conversations.services
as actors.bot(); every turn is recorded with its question, articles, score and outcome.
"""
import re
import time

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext, gettext_noop

from parley.accounts.permissions import require
from parley.bot import llm
from parley.bot.models import BotConversation, BotSettings, BotState, BotTurn, Outcome
from parley.conversations.models import Direction, Message, Status
from parley.conversations.services import conversation_set_status, message_reply
from parley.conversations.services.common import event_message
from parley.core import actors, events
from parley.core.errors import ValidationFailed
from parley.core.i18n import language_supported
from parley.core.kept import kept
from parley.knowledge.rendering import first_sentences
from parley.knowledge.search import search_articles

BOT = actors.bot("Help center bot")

#: Signs of an upset customer in the languages the help center ships; an upset customer gets a person at once.
_UPSET = re.compile(r"\b(angry|furious|ridiculous|unacceptable|terrible|awful|worst|useless|scam|disgusting|lawyer|"
                    r"wtf|fed up|sick of|wütend|unverschämt|frechheit|katastrophe|inadmissible|furieux|scandale|"
                    r"inaceptable|furioso|vergogna)\b", re.IGNORECASE)
_YES = re.compile(r"^\W*(yes|yeah|yep|yup|sure|perfect|great|thanks|thank you|that helped|it worked|solved|ja|danke|"
                  r"oui|merci|sí|si|gracias)\b", re.IGNORECASE)
_NO = re.compile(r"^\W*(no|nope|nah|not really|didn'?t|doesn'?t|did not|does not|still|nein|nicht|non|pas vraiment)\b",
                 re.IGNORECASE)
#: A reply longer than this is a new question, not a yes or a no.
FEEDBACK_MAX_WORDS = 8


def is_upset(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    shouting = len(letters) >= 12 and sum(ch.isupper() for ch in letters) / len(letters) > 0.7
    return shouting or text.count("!") >= 3 or bool(_UPSET.search(text))


def asks_for_person(text: str, phrases: list[str]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(phrase)}s?\b", lowered) for phrase in phrases)


@transaction.atomic
def bot_settings_update(*, inbox, actor, enabled: bool, threshold: float, handover_phrases: str, max_unhelpful: int,
                        locale: str) -> BotSettings:
    require(actor, "bot.manage")
    problems, said = {}, []
    if not 0 <= threshold <= 1:
        problems["threshold"] = "between 0 and 1"
        said.append(gettext("the confidence threshold is between 0 and 1"))
    if not 1 <= max_unhelpful <= 10:
        problems["max_unhelpful"] = "between 1 and 10"
        said.append(gettext("the unhelpful answers before a hand-over are between 1 and 10"))
    if not handover_phrases.strip():
        problems["handover_phrases"] = "at least one phrase"
        said.append(gettext("the hand-over phrases need at least one phrase"))
    if problems:
        raise ValidationFailed(gettext("The bot settings are not valid: %(problems)s.") % {"problems": "; ".join(said)},
                               extra=problems)
    bot_settings, _ = BotSettings.objects.update_or_create(inbox=inbox, defaults={
        "enabled": enabled, "threshold": threshold, "handover_phrases": handover_phrases.strip(),
        "max_unhelpful": max_unhelpful, "locale": locale})
    return bot_settings


@kept(models=("bot.BotSettings",))
def inboxes_with_a_bot() -> frozenset[int]:
    """The ids of the inboxes whose bot is on: most messages arrive where there is none."""
    return frozenset(BotSettings.objects.filter(enabled=True).values_list("inbox_id", flat=True))


def bot_handle_message(*, message_id: int, inbox_id: int | None = None) -> BotTurn | None:
    """Answer, ask for feedback, or hand over, for one customer message (idempotent).

    `inbox_id`, when the caller knows it, lets a message to an inbox without a bot cost no query at all.
    """
    started = time.perf_counter()
    if inbox_id is not None and inbox_id not in inboxes_with_a_bot():
        return None
    message = Message.objects.select_related("conversation__inbox", "conversation__contact").filter(pk=message_id, direction=Direction.INBOUND).first()
    if message is None:
        return None
    conversation = message.conversation
    bot_settings = BotSettings.objects.filter(inbox=conversation.inbox, enabled=True).first()
    if bot_settings is None or conversation.assignee_id is not None:
        return None
    with transaction.atomic():
        state, _ = BotConversation.objects.select_for_update().get_or_create(conversation=conversation)
        if state.state == BotState.HANDED_OVER or BotTurn.objects.filter(message=message).exists():
            return None
        # The bot's own words in the customer's language: their stored one, else that of the articles it quotes.
        with translation.override(language_supported(conversation.contact.language)
                                  or language_supported(bot_settings.locale) or settings.LANGUAGE_CODE):
            turn = _decide(message, state, bot_settings)
        turn.answer_ms = (time.perf_counter() - started) * 1000
        turn.save()
        state.save()
    return turn


def _decide(message: Message, state: BotConversation, bot_settings: BotSettings) -> BotTurn:
    conversation = message.conversation
    text = message.text.strip()
    turn = BotTurn(conversation=conversation, message=message, question=text[:4000], created_at=timezone.now())
    if asks_for_person(text, bot_settings.phrases()):
        return _hand_over(turn, state, Outcome.HANDOVER_ASKED)
    if is_upset(text):
        return _hand_over(turn, state, Outcome.HANDOVER_UPSET)
    if state.state == BotState.AWAITING_FEEDBACK and len(text.split()) <= FEEDBACK_MAX_WORDS:
        if _NO.search(text):
            state.unhelpful_turns += 1
            if state.unhelpful_turns >= bot_settings.max_unhelpful:
                return _hand_over(turn, state, Outcome.HANDOVER_UNHELPFUL)
            turn.outcome = Outcome.NOT_HELPED
            state.state = BotState.ANSWERING
            _say(conversation, gettext("Sorry about that. Could you tell me a little more, in other words? "
                                       "Or write \"agent\" and a person from our team will take over."))
            return turn
        if _YES.search(text):
            turn.outcome = Outcome.HELPED
            state.state = BotState.ANSWERING
            _say(conversation, gettext("Glad that helped! Write again any time."))
            return turn
    hits = search_articles(text, locale=bot_settings.locale, limit=3)
    turn.article_ids = [hit.translation.article_id for hit in hits]
    turn.score = hits[0].score if hits else 0.0
    if not hits or hits[0].score < bot_settings.threshold:
        return _hand_over(turn, state, Outcome.HANDOVER_LOW_CONFIDENCE)
    best = hits[0].translation
    link = settings.PARLEY_BASE_URL.rstrip("/") + reverse("help:article", args=[best.article.slug]) + f"?lang={best.locale}"
    written = llm.write_answer(text, [(h.translation.title, h.translation.plain) for h in hits]) if llm.enabled() else None
    answer = written or f"{best.title}: {first_sentences(best.plain)}"
    _say(conversation, f"{answer}\n\n" + gettext("The whole article: %(link)s\n\nDid that answer your question? (yes / no)")
         % {"link": link})
    turn.outcome = Outcome.ANSWERED
    state.state = BotState.AWAITING_FEEDBACK
    return turn


def _say(conversation, text: str) -> None:
    # The bot's replies leave the status alone: the conversation stays new (unanswered by a person) for routing.
    message_reply(conversation=conversation, author=BOT, text=text, status=conversation.status)


HANDOVER_TEXT = gettext_noop("I'm passing you to a person on our team. They can see everything we wrote here "
                             "and will reply soon.")
CLOSED_HANDOVER_TEXT = gettext_noop("I'm passing you to a person on our team. We're closed right now; someone will "
                                    "reply %(when)s (%(zone)s time). They can see everything we wrote here.")


def next_opening(conversation, at):
    """Return when the routing calendar of `conversation` next opens if it is closed `at`, else None.

    None too without a calendar (every hour is open) or with one that never opens.
    """
    from parley.routing.hours import NeverOpen, add_business_minutes
    from parley.routing.services import policy_for

    policy = policy_for(conversation)
    if policy is None or policy.calendar is None:
        return None
    schedule = policy.calendar.schedule()
    if schedule.is_open(at):
        return None
    try:
        return add_business_minutes(schedule, at, 0).astimezone(schedule.zone)
    except NeverOpen:
        return None


def handover_text(conversation, at) -> str:
    """What the bot says as it hands over, in the active language: outside business hours, when a person will be there."""
    opens = next_opening(conversation, at)
    if opens is None:
        return gettext(HANDOVER_TEXT)
    days = (opens.date() - at.astimezone(opens.tzinfo).date()).days
    clock = dateformat.format(opens, "H:i")
    if days == 0:
        when = gettext("today at %(clock)s") % {"clock": clock}
    elif days == 1:
        when = gettext("tomorrow at %(clock)s") % {"clock": clock}
    else:
        when = gettext("on %(day)s at %(clock)s") % {"day": dateformat.format(opens, "l j F"), "clock": clock}
    return gettext(CLOSED_HANDOVER_TEXT) % {"when": when, "zone": opens.tzinfo.key}


def _hand_over(turn: BotTurn, state: BotConversation, outcome: str) -> BotTurn:
    conversation = turn.conversation
    turn.outcome = outcome
    state.state = BotState.HANDED_OVER
    _say(conversation, handover_text(conversation, timezone.now()))
    reason = outcome.removeprefix("handover_")
    with translation.override(settings.LANGUAGE_CODE):  # the timeline keeps the site's language
        said = str(Outcome(outcome).label).split(": ")[1]
    event_message(conversation, f"The bot handed this conversation to the team ({said}).",
                  actor=BOT, data={"bot_handover": reason})
    # Back in the queue as a new, unassigned conversation: routed like any other that just arrived.
    conversation_set_status(conversation=conversation, actor=BOT, status=Status.NEW)
    events.publish("bot.handed_over", {"conversation_id": conversation.pk, "reason": reason})
    return turn
