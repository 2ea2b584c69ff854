"""A survey asked in a chat: the widget gets it as a card, and only its own visitor answers it, once."""
import pytest

from parley.channels.chat.selectors import messages_since
from parley.channels.chat.services import chat_message_post, chat_session_open, chat_survey_answer
from parley.conversations.models import Status
from parley.conversations.services import message_reply
from parley.core.errors import ApplicationError, NotFound, ValidationFailed
from parley.surveys.models import Survey


@pytest.fixture
def asked(chat_inbox, agent, run_due_jobs):
    """A visitor whose chat was solved and who was asked the CSAT question: (visitor, survey)."""
    visitor = chat_session_open(inbox=chat_inbox, visitor=None)
    message = chat_message_post(visitor=visitor, text="Where is my parcel?", client_id="1")
    visitor.refresh_from_db()
    message_reply(conversation=message.conversation, author=agent, text="On its way.", status=Status.SOLVED)
    while run_due_jobs():
        pass
    return visitor, Survey.objects.get(conversation=message.conversation)


def test_the_widget_gets_the_survey_as_a_card_with_its_scores(asked):
    visitor, survey = asked

    [card] = [m["survey"] for m in messages_since(visitor=visitor) if "survey" in m]

    assert card["id"] == survey.pk and card["question"] == "How would you rate the support you received?"
    assert card["scores"][0] == [1, "Very unhappy"] and card["scores"][-1] == [5, "Very happy"]
    assert card["score"] is None


def test_the_score_then_a_comment_are_recorded_once_each(asked):
    visitor, survey = asked

    assert chat_survey_answer(visitor=visitor, survey_id=survey.pk, score=2)["score"] == 2
    assert chat_survey_answer(visitor=visitor, survey_id=survey.pk, comment="Too slow.")["comment"] == "Too slow."
    with pytest.raises(ApplicationError) as twice:
        chat_survey_answer(visitor=visitor, survey_id=survey.pk, score=5)
    with pytest.raises(ApplicationError):
        chat_survey_answer(visitor=visitor, survey_id=survey.pk, comment="Actually fine.")

    survey.refresh_from_db()
    assert twice.value.status == 409 and (survey.score, survey.comment) == (2, "Too slow.")


def test_bad_answers_and_other_visitors_are_refused(asked, chat_inbox):
    visitor, survey = asked
    stranger = chat_session_open(inbox=chat_inbox, visitor=None)
    chat_message_post(visitor=stranger, text="Hello", client_id="1")
    stranger.refresh_from_db()

    with pytest.raises(NotFound):
        chat_survey_answer(visitor=stranger, survey_id=survey.pk, score=5)
    with pytest.raises(NotFound):
        chat_survey_answer(visitor=visitor, survey_id="1 OR 1=1", score=5)
    with pytest.raises(ValidationFailed) as off_scale:
        chat_survey_answer(visitor=visitor, survey_id=survey.pk, score=6)
    with pytest.raises(ValidationFailed):
        chat_survey_answer(visitor=visitor, survey_id=survey.pk)

    survey.refresh_from_db()
    assert off_scale.value.extra == {"score": "1 to 5"} and survey.answered_at is None
