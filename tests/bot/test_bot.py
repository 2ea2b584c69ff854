"""The bot answers customers from the help center, asks whether it helped, and hands over when it should."""
import pytest

from parley.bot.models import BotTurn, Outcome
from parley.bot.selectors import bot_report
from parley.conversations.models import Conversation, Direction, MessageKind
from parley.core.models import Event


def _bot_replies(conversation):
    return list(conversation.messages.filter(direction=Direction.OUTBOUND, kind=MessageKind.REPLY).values_list("text", flat=True))


def test_a_question_gets_a_short_answer_with_the_article_link_and_a_question_whether_it_helped(bot_inbox, help_center, customer_says):
    message = customer_says(bot_inbox, "How can I see where my package is?")

    conversation = message.conversation
    [reply] = _bot_replies(conversation)
    assert "Track your order" in reply
    assert f"/portal/help/a/{help_center['track-order'].slug}/" in reply
    assert "Did that answer your question?" in reply
    turn = BotTurn.objects.get(message=message)
    assert turn.outcome == Outcome.ANSWERED and turn.article_ids[0] == help_center["track-order"].pk and turn.score >= 0.3
    assert conversation.messages.filter(direction=Direction.OUTBOUND).first().metadata["actor"]["kind"] == "bot"


def test_yes_counts_as_helped_and_the_conversation_is_contained(bot_inbox, customer_says):
    customer_says(bot_inbox, "Which credit cards do you take?")
    customer_says(bot_inbox, "yes, thanks")

    assert list(BotTurn.objects.order_by("created_at", "id").values_list("outcome", flat=True)) == ["answered", "helped"]
    report = bot_report()
    assert report["conversations"] == 1 and report["contained"] == 1 and report["containment_rate"] == 1


@pytest.mark.parametrize("text", ["Can I talk to a human please", "I want an agent", "Bitte einen Mitarbeiter", "je veux un humain"])
def test_asking_for_a_person_in_any_configured_language_hands_over(bot_inbox, customer_says, text):
    message = customer_says(bot_inbox, text)

    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert "passing you to a person" in _bot_replies(conversation)[-1]
    assert conversation.status == "new" and conversation.assignee_id is None
    assert conversation.messages.filter(kind=MessageKind.EVENT, text__contains="handed this conversation").exists()
    assert BotTurn.objects.get(message=message).outcome == Outcome.HANDOVER_ASKED
    assert Event.objects.filter(name="bot.handed_over", payload__reason="asked").exists()


def test_a_question_the_help_center_cannot_answer_goes_to_a_person(bot_inbox, customer_says):
    message = customer_says(bot_inbox, "My cat learned quantum physics overnight")

    turn = BotTurn.objects.get(message=message)
    assert turn.outcome == Outcome.HANDOVER_LOW_CONFIDENCE and turn.score < 0.3
    assert "passing you to a person" in _bot_replies(message.conversation)[-1]


def test_after_as_many_unhelpful_answers_as_configured_a_person_takes_over(bot_inbox, customer_says):
    customer_says(bot_inbox, "how long does delivery take")
    customer_says(bot_inbox, "no")
    customer_says(bot_inbox, "what does shipping cost")
    last = customer_says(bot_inbox, "not really")

    assert list(BotTurn.objects.order_by("created_at", "id").values_list("outcome", flat=True)) == [
        "answered", "not_helped", "answered", "handover_unhelpful"]
    assert Conversation.objects.get(pk=last.conversation_id).status == "new"


@pytest.mark.parametrize("text", ["THIS IS THE THIRD TIME I WRITE ABOUT MY ORDER", "This is ridiculous, where is my refund",
                                  "where is my refund!!!"])
def test_an_upset_customer_gets_a_person_at_once(bot_inbox, customer_says, text):
    message = customer_says(bot_inbox, text)

    assert BotTurn.objects.get(message=message).outcome == Outcome.HANDOVER_UPSET


def test_after_the_hand_over_the_bot_stays_quiet_and_the_transcript_stays_on_the_conversation(bot_inbox, customer_says):
    customer_says(bot_inbox, "where is my parcel")
    customer_says(bot_inbox, "human please")
    later = customer_says(bot_inbox, "hello? anybody?")

    conversation = later.conversation
    texts = list(conversation.messages.order_by("created_at", "id").values_list("text", flat=True))
    assert texts[0] == "where is my parcel" and texts[-1] == "hello? anybody?"
    assert len(_bot_replies(conversation)) == 2
    assert not BotTurn.objects.filter(message=later).exists()


def test_the_bot_answers_once_when_its_job_runs_again(bot_inbox, customer_says):
    from parley.bot.services import bot_handle_message

    message = customer_says(bot_inbox, "how do I redeem a gift card")
    bot_handle_message(message_id=message.pk)

    assert BotTurn.objects.filter(message=message).count() == 1
    assert len(_bot_replies(message.conversation)) == 1


def test_an_inbox_without_the_bot_gets_no_bot_answer(api_inbox, help_center, customer_says):
    message = customer_says(api_inbox, "where is my parcel")

    assert _bot_replies(message.conversation) == [] and not BotTurn.objects.exists()


def test_bad_bot_settings_are_refused_with_what_is_wrong(api_inbox, admin):
    from parley.bot.services import bot_settings_update
    from parley.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        bot_settings_update(inbox=api_inbox, actor=admin, enabled=True, threshold=1.5, handover_phrases=" ",
                            max_unhelpful=0, locale="en")
    assert set(refused.value.extra) == {"threshold", "handover_phrases", "max_unhelpful"}
