"""CSAT: asked on the customer's channel when a conversation is solved, answered once through a signed link."""
from urllib.parse import urlsplit

from django.core import mail
from django.test import Client

from parley.conversations.models import Status
from parley.conversations.services import conversation_set_status, message_reply
from parley.surveys.models import Survey
from parley.surveys.selectors import survey_settings
from tests.surveys.conftest import drain, links_in


def _solve(conversation, agent, run_due_jobs):
    message_reply(conversation=conversation, author=agent, text="It is on its way.", status=Status.SOLVED)
    drain(run_due_jobs)


def _path(link: str) -> str:
    """The link without its host, for the test client."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_solving_emails_a_csat_survey_with_a_one_click_link_per_score(form_conversation, agent, run_due_jobs):
    _solve(form_conversation, agent, run_due_jobs)

    survey = Survey.objects.get(conversation=form_conversation)
    assert (survey.kind, survey.contact.email, survey.agent, survey.channel) == ("csat", "rita@example.test", agent, "webform")
    [sent] = [m for m in mail.outbox if "rate the support" in m.body]
    assert sent.to == ["rita@example.test"]
    links = links_in(sent.body)
    assert [link.rsplit("score=", 1)[-1] for link in links[:5]] == ["1", "2", "3", "4", "5"]
    assert form_conversation.messages.filter(metadata__automatic="csat_survey").count() == 1


def test_one_click_records_the_score_once_then_the_page_shows_the_answer(form_conversation, agent, run_due_jobs):
    _solve(form_conversation, agent, run_due_jobs)
    links = links_in(mail.outbox[-1].body)
    client = Client()

    first = client.get(_path(links[3]))  # score 4
    again = client.get(_path(links[0]))  # score 1, later: changes nothing

    survey = Survey.objects.get(conversation=form_conversation)
    assert (survey.score, survey.answered_at is not None) == (4, True)
    assert b"You answered <strong class=\"survey-score\">4</strong> out of 5" in first.content
    assert b"<strong class=\"survey-score\">4</strong>" in again.content


def test_a_comment_can_follow_a_one_click_score_once_and_is_scored_for_sentiment(form_conversation, agent, run_due_jobs):
    _solve(form_conversation, agent, run_due_jobs)
    link = _path(links_in(mail.outbox[-1].body)[1])  # score 2
    client = Client()
    client.get(link)

    client.post(link, {"comment": "The parcel was late and nobody told me. Terrible."})
    second = client.post(link, {"comment": "Actually it was fine"})
    drain(run_due_jobs)

    survey = Survey.objects.get(conversation=form_conversation)
    assert survey.comment == "The parcel was late and nobody told me. Terrible."
    assert second.status_code == 409 and b"already answered" in second.content
    assert survey.comment_sentiment is not None and survey.comment_sentiment < 0


def test_a_forged_link_or_a_score_off_the_scale_records_nothing(form_conversation, agent, run_due_jobs):
    _solve(form_conversation, agent, run_due_jobs)
    link = _path(links_in(mail.outbox[-1].body)[-1])
    client = Client()

    forged = client.get(link.replace("/answer/", "/answer/x"))
    off_scale = client.get(link + "?score=9")
    not_a_number = client.post(link, {"score": "lots"})

    assert forged.status_code == 404 and b"not valid" in forged.content
    assert off_scale.status_code == 422 and b"Choose a score from 1 to 5" in off_scale.content
    assert not_a_number.status_code == 422
    assert Survey.objects.get(conversation=form_conversation).answered_at is None


def test_a_customer_is_not_asked_twice_within_the_throttle_window(form_conversation, agent, run_due_jobs):
    _solve(form_conversation, agent, run_due_jobs)
    conversation_set_status(conversation=form_conversation, actor=agent, status=Status.OPEN)
    _solve(form_conversation, agent, run_due_jobs)
    assert Survey.objects.filter(contact=form_conversation.contact).count() == 1

    survey_settings().__class__.objects.update(throttle_days=0)
    conversation_set_status(conversation=form_conversation, actor=agent, status=Status.OPEN)
    _solve(form_conversation, agent, run_due_jobs)
    assert Survey.objects.filter(contact=form_conversation.contact).count() == 2


def test_the_subscriber_run_twice_on_one_event_sends_one_survey(form_conversation, agent, run_due_jobs):
    from parley.core.models import Event
    from parley.surveys.subscribers import csat_after_solved

    survey_settings().__class__.objects.update(throttle_days=0)
    _solve(form_conversation, agent, run_due_jobs)
    event = Event.objects.filter(name="conversation.status_changed", payload__new="solved").latest("pk")

    csat_after_solved(event.name, {**event.payload, "event_id": event.pk})

    assert Survey.objects.filter(conversation=form_conversation).count() == 1


def test_switched_off_csat_sends_nothing(form_conversation, agent, run_due_jobs):
    survey_settings().__class__.objects.update(csat_enabled=False)

    _solve(form_conversation, agent, run_due_jobs)

    assert not Survey.objects.exists()
    assert not [m for m in mail.outbox if "rate the support" in m.body]


def test_results_show_on_the_conversation_and_the_customer_and_count_for_the_agent(form_conversation, agent, admin, run_due_jobs):
    from django.utils import timezone

    from parley.analytics.kpis import Scope, kpi_values
    from parley.surveys.selectors import survey_results_by_agent

    _solve(form_conversation, agent, run_due_jobs)
    Client().post(_path(links_in(mail.outbox[-1].body)[-1]), {"score": "5", "comment": "Quick and kind, thanks!"})
    drain(run_due_jobs)
    client = Client()
    client.force_login(admin)

    conversation_page = client.get(f"/c/{form_conversation.pk}/").content.decode()
    agent_client = Client()
    agent_client.force_login(agent)
    profile = agent_client.get("/me/").content.decode()
    customer_page = client.get(f"/customers/{form_conversation.contact_id}/").content.decode()
    today = timezone.localdate()
    csat = {r["key"]: r["value"] for r in kpi_values(Scope(start=today, end=today))}["csat"]
    csat_by_channel = {channel: {r["key"]: r["value"] for r in kpi_values(Scope(start=today, end=today, channel=channel))}["csat"]
                       for channel in ("webform", "api")}

    assert "<strong>5</strong>/5" in conversation_page and "Quick and kind, thanks!" in conversation_page
    assert "<strong>5</strong>/5" in customer_page
    assert "<td>Customer satisfaction (CSAT)</td><td>1</td><td>5.0</td><td>100.0 %</td>" in profile
    assert "Quick and kind, thanks!" in profile
    assert csat == 100.0
    assert csat_by_channel == {"webform": 100.0, "api": None}
    assert survey_results_by_agent(kind="csat") == [{"agent_id": agent.pk, "agent__name": "Sam Agent", "answers": 1,
                                                     "average": 5.0, "good": 1, "good_percent": 100.0}]


def test_a_conversation_reopened_before_the_worker_asks_is_not_surveyed(form_conversation, agent, run_due_jobs):
    from parley.channels.base import InboundMessage
    from parley.conversations.services import message_receive

    message_reply(conversation=form_conversation, author=agent, text="Done.", status=Status.SOLVED)
    message_receive(inbox=form_conversation.inbox, inbound=InboundMessage(
        external_id="form-2", identity_kind="email", source_id="rita@example.test", contact_email="rita@example.test",
        text="No, it is still missing", conversation_id=form_conversation.pk))
    drain(run_due_jobs)

    assert not Survey.objects.exists()


def test_a_conversation_solved_long_ago_is_not_asked_about(form_conversation, agent, run_due_jobs):
    from datetime import timedelta

    from django.utils import timezone

    message_reply(conversation=form_conversation, author=agent, text="Done.", status=Status.SOLVED,
                  created_at=timezone.now() - timedelta(days=8))
    drain(run_due_jobs)

    assert not Survey.objects.exists()
