"""The conversation list's sort orders and the filters by team, customer, organization, dates and custom status."""
import re
from datetime import timedelta

from django.utils import timezone

from parley.accounts.models import Team
from parley.contacts.models import Organization
from parley.conversations.models import Conversation, CustomStatus, Status


def _numbers(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="row-(\d+)"', response.content.decode())]


def test_sorting_by_activity_oldest_waiting_and_priority(client, agent, api_inbox, receive):
    now = timezone.now()
    old = receive(api_inbox, "Old", source_id="a").conversation
    urgent = receive(api_inbox, "Urgent", source_id="b").conversation
    recent = receive(api_inbox, "Recent", source_id="c").conversation
    for conversation, waited, active, priority in ((old, 50, 1, "low"), (urgent, 10, 30, "urgent"), (recent, 5, 2, "high")):
        Conversation.objects.filter(pk=conversation.pk).update(
            last_inbound_at=now - timedelta(hours=waited), last_message_at=now - timedelta(minutes=active), priority=priority)
    client.force_login(agent)

    assert _numbers(client.get("/")) == [old.pk, recent.pk, urgent.pk]
    assert _numbers(client.get("/", {"sort": "waiting"})) == [old.pk, urgent.pk, recent.pk]
    assert _numbers(client.get("/", {"sort": "priority"})) == [urgent.pk, recent.pk, old.pk]


def test_filters_by_team_customer_organization_dates_and_custom_status(client, agent, admin, api_inbox, receive):
    billing = Team.objects.create(name="Billing")
    acme = Organization.objects.create(name="Acme", domain="acme.test")
    waiting = CustomStatus.objects.create(name="Waiting on vendor", category=Status.PENDING)
    a = receive(api_inbox, "A", source_id="a").conversation
    b = receive(api_inbox, "B", source_id="b").conversation
    c = receive(api_inbox, "C", source_id="c").conversation
    Conversation.objects.filter(pk=a.pk).update(team=billing, created_at=timezone.now() - timedelta(days=10))
    b.contact.organization = acme
    b.contact.save()
    Conversation.objects.filter(pk=c.pk).update(custom_status=waiting, status=Status.PENDING)
    client.force_login(agent)

    assert _numbers(client.get("/", {"team": billing.pk})) == [a.pk]
    assert _numbers(client.get("/", {"organization": acme.pk})) == [b.pk]
    assert _numbers(client.get("/", {"customer": c.contact_id})) == [c.pk]
    assert _numbers(client.get("/", {"custom_status": waiting.pk})) == [c.pk]
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert sorted(_numbers(client.get("/", {"created_from": week_ago}))) == sorted([b.pk, c.pk])
    assert _numbers(client.get("/", {"created_to": week_ago})) == [a.pk]


def test_a_date_range_that_ends_before_it_starts_says_so(client, agent, db):
    client.force_login(agent)

    response = client.get("/", {"created_from": "2026-02-01", "created_to": "2026-01-01"})

    assert response.status_code == 400
    assert "The end of the date range is before its start." in response.content.decode()
