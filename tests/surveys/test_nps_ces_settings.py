"""NPS campaigns to a segment on a schedule, CES after a chosen flow, and Settings → Surveys."""
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

from parley.accounts.models import Role
from parley.contacts.models import Contact, Segment
from parley.conversations.services import conversation_assign, conversation_escalate
from parley.core import actors, jobs
from parley.surveys.models import NpsCampaign, Survey
from parley.surveys.selectors import survey_settings
from parley.surveys.services import nps_campaign_create
from tests.surveys.conftest import drain


def _run_schedules():
    from parley.core.models import Schedule

    Schedule.objects.update(next_run_at=timezone.now() - timedelta(seconds=1))
    jobs.run_schedules()


def test_an_nps_campaign_emails_its_segment_on_schedule_and_once_per_run(db, admin, run_due_jobs):
    vip = Segment.objects.create(name="VIP")
    inside = Contact.objects.create(name="Vera", email="vera@example.test")
    inside.segments.add(vip)
    no_email = Contact.objects.create(name="Phone only", phone="+4930123456")
    no_email.segments.add(vip)
    Contact.objects.create(name="Other", email="other@example.test")
    campaign = nps_campaign_create(actor=admin, name="Quarterly VIP", segment=vip, every_days=90)

    _run_schedules()
    drain(run_due_jobs)
    _run_schedules()
    drain(run_due_jobs)

    assert [m.to for m in mail.outbox] == [["vera@example.test"]]
    assert "0 – Not at all likely" in mail.outbox[0].body and "10 – Extremely likely" in mail.outbox[0].body
    survey = Survey.objects.get()
    assert (survey.kind, survey.contact, survey.campaign) == ("nps", inside, campaign)
    campaign.refresh_from_db()
    assert campaign.last_sent == 1
    assert campaign.next_run_at > timezone.now() + timedelta(days=89)


def test_a_paused_campaign_sends_nothing_until_it_is_resumed(db, admin, run_due_jobs):
    from parley.surveys.services import nps_campaign_set_active

    Contact.objects.create(name="Vera", email="vera@example.test")
    campaign = nps_campaign_set_active(actor=admin, campaign=nps_campaign_create(actor=admin, name="All"), is_active=False)

    _run_schedules()
    drain(run_due_jobs)
    assert not mail.outbox

    nps_campaign_set_active(actor=admin, campaign=campaign, is_active=True)
    _run_schedules()
    drain(run_due_jobs)
    assert [m.to for m in mail.outbox] == [["vera@example.test"]]


def test_nps_answers_make_the_score(db, admin):
    from parley.analytics.kpis import Scope, kpi_values
    from parley.surveys.services import survey_answer

    campaign = nps_campaign_create(actor=admin, name="All", every_days=30)
    for n, score in enumerate([10, 9, 8, 3]):
        contact = Contact.objects.create(name=f"C{n}", email=f"c{n}@example.test")
        survey = Survey.objects.create(kind="nps", contact=contact, campaign=campaign, question="?", channel="email",
                                       sent_at=timezone.now())
        survey_answer(survey=survey, score=score)
    today = timezone.localdate()

    nps = {r["key"]: r["value"] for r in kpi_values(Scope(start=today, end=today))}["nps"]

    assert nps == 25.0  # 2 promoters, 1 detractor, 4 answers


def test_ces_is_asked_after_a_hand_off_to_a_person_and_not_after_an_agent_assigns(form_conversation, agent, run_due_jobs):
    survey_settings().__class__.objects.update(ces_enabled=True, ces_trigger="handoff", throttle_days=0)

    conversation_assign(conversation=form_conversation, actor=agent, assignee=None)
    drain(run_due_jobs)
    assert not Survey.objects.filter(kind="ces").exists()

    conversation_assign(conversation=form_conversation, actor=actors.bot("Helper"), assignee=agent)
    drain(run_due_jobs)

    survey = Survey.objects.get(kind="ces")
    assert survey.conversation == form_conversation
    assert any("How easy was it" in m.body and "7 – Very easy" in m.body for m in mail.outbox)


def test_ces_after_an_escalation_when_that_is_the_chosen_flow(form_conversation, agent, run_due_jobs):
    survey_settings().__class__.objects.update(ces_enabled=True, ces_trigger="escalation")

    conversation_escalate(conversation=form_conversation, actor=agent, reason="needs billing")
    drain(run_due_jobs)

    assert Survey.objects.filter(kind="ces", conversation=form_conversation).count() == 1


def test_the_settings_screen_changes_throttling_and_creates_campaigns(db, admin, make_agent):
    client = Client()
    client.force_login(admin)
    Segment.objects.create(name="VIP")

    page = client.get("/surveys/settings/")
    saved = client.post("/surveys/settings/", {"csat_enabled": "on", "csat_question": "Happy?", "throttle_days": "7",
                                               "ces_trigger": "solved", "ces_question": "Easy?"})
    bad = client.post("/surveys/settings/", {"csat_question": "Happy?", "throttle_days": "-3", "ces_trigger": "solved",
                                             "ces_question": "Easy?"})
    created = client.post("/surveys/settings/campaigns/", {"name": "Yearly", "every_days": "365"})
    duplicate = client.post("/surveys/settings/campaigns/", {"name": "yearly", "every_days": "365"})

    assert page.status_code == 200 and b"NPS campaigns" in page.content
    assert saved.status_code == 302
    config = survey_settings()
    assert (config.throttle_days, config.csat_question, config.ces_enabled) == (7, "Happy?", False)
    assert bad.status_code == 422 and b"Some settings are not valid" in bad.content
    assert created.status_code == 302 and NpsCampaign.objects.get().every_days == 365
    assert duplicate.status_code == 422 and b"A campaign with this name exists" in duplicate.content
    campaign = NpsCampaign.objects.get()
    client.post(f"/surveys/settings/campaigns/{campaign.pk}/active/", {"active": "0"})
    campaign.refresh_from_db()
    assert not campaign.is_active and b"paused" in client.get("/surveys/settings/").content
    agent = Client()
    agent.force_login(make_agent(Role.AGENT))
    assert agent.get("/surveys/settings/").status_code == 403


def test_the_api_reads_and_changes_the_settings_and_refuses_bad_values(api_as, admin):
    api = api_as(admin)

    changed = api.patch("/surveys/settings", {"throttle_days": 14, "ces_enabled": True, "ces_trigger": "solved"})
    negative = api.patch("/surveys/settings", {"throttle_days": -1})
    unknown = api.patch("/surveys/settings", {"throttle": 3})

    assert changed.status_code == 200
    assert (changed.json()["throttle_days"], changed.json()["ces_enabled"], changed.json()["csat_enabled"]) == (14, True, True)
    assert api.get("/surveys/settings").json()["ces_trigger"] == "solved"
    assert negative.status_code == 422 and "throttle_days" in negative.json()["extra"]
    assert unknown.status_code == 422 and "throttle" in unknown.json()["extra"]
    assert survey_settings().throttle_days == 14


def test_a_spanish_admin_is_told_in_spanish_that_a_campaign_has_this_name(db, admin):
    client = Client(headers={"Accept-Language": "es"})
    client.force_login(admin)
    client.post("/surveys/settings/campaigns/", {"name": "Yearly", "every_days": "365"})

    duplicate = client.post("/surveys/settings/campaigns/", {"name": "yearly", "every_days": "365"})

    assert duplicate.status_code == 422 and "Ya existe una campaña con este nombre." in duplicate.content.decode()
