from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from parley.accounts.models import Role, Team, User
from parley.channels.models import Inbox
from parley.cli import main
from parley.contacts.models import Contact, Organization, Segment
from parley.conversations.models import Conversation, Direction, Message, MessageKind, Notification, Status
from parley.demo.seed import CONVERSATIONS, CUSTOMERS, DemoDataExists, demo_seed


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """One demo workspace for the module's read-only tests, rolled back at the end (seeding takes seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_seed(seed=7)
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_given_the_demo_when_any_demo_agent_signs_in_with_the_shown_password_then_they_are_in_with_their_role(seeded):
    assert len(seeded.agents) == User.objects.count() - 1
    for email, role in seeded.agents:
        assert authenticate(username=email, password=seeded.password).role == role
    assert authenticate(username=seeded.agents[0][0], password="not-the-password") is None


def test_given_an_empty_workspace_when_the_demo_is_seeded_then_it_has_the_promised_people(seeded):
    assert authenticate(username="admin@parley.example", password=seeded.password).role == Role.ADMIN
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert 7 <= User.objects.count() <= 10
    assert sorted(Team.objects.values_list("name", flat=True)) == ["Billing", "Support", "Technical"]
    assert Contact.objects.count() == CUSTOMERS
    assert Organization.objects.count() == 10
    assert sorted(Segment.objects.values_list("name", flat=True)) == ["Enterprise", "Trial", "VIP"]
    assert all(Segment.objects.get(name=name).contacts.exists() for name in ("Enterprise", "Trial", "VIP"))
    assert all({"plan", "country"} <= c.custom_attributes.keys() for c in Contact.objects.all())


def test_given_the_registered_channels_when_the_demo_is_seeded_then_every_inbox_has_conversations(seeded):
    names = set(Inbox.objects.values_list("name", flat=True))

    assert {"Contact form", "Mobile app (API)"} <= names
    assert Conversation.objects.count() == CONVERSATIONS
    assert all(inbox.conversations.exists() for inbox in Inbox.objects.all())


def test_given_the_demo_then_every_conversation_has_a_customer_message_and_threads_run_long(seeded):
    without_inbound = Conversation.objects.exclude(messages__direction=Direction.INBOUND)
    replies = Message.objects.filter(kind=MessageKind.REPLY)

    assert not without_inbound.exists()
    assert replies.filter(direction=Direction.OUTBOUND).count() > CONVERSATIONS
    assert Conversation.objects.filter(inbound_count__gte=2, outbound_count__gte=2).count() > 20


def test_given_the_demo_then_history_spreads_over_weeks_and_never_reaches_the_future(seeded):
    now = timezone.now()
    created = sorted(Conversation.objects.values_list("created_at", flat=True))
    responses = [c.first_response_at - c.created_at for c in Conversation.objects.exclude(first_response_at=None)]

    assert now - created[0] > timedelta(weeks=4)
    assert now - created[-1] < timedelta(days=2)
    assert Message.objects.filter(created_at__gt=now).count() == 0
    assert min(responses) < timedelta(hours=1) < timedelta(hours=8) < max(responses)


def test_given_the_demo_then_statuses_priorities_tags_and_collaboration_are_all_shown(seeded):
    conversations = Conversation.objects.all()

    assert set(conversations.values_list("status", flat=True)) == set(Status.values)
    assert conversations.filter(custom_status__name="Waiting on vendor", status=Status.ON_HOLD).exists()
    assert len(set(conversations.values_list("priority", flat=True))) >= 3
    assert conversations.filter(tags__name="refund").exists() and conversations.filter(tags__name="bug").exists()
    assert conversations.filter(tier__gt=1).exists()
    assert conversations.filter(related__isnull=False).exists()
    assert conversations.filter(participants__isnull=False).exists()
    assert Notification.objects.filter(kind="mention").exists()
    assert conversations.filter(status=Status.NEW, assignee=None).exists()


def test_given_a_seeded_workspace_when_seeded_again_without_reset_then_it_refuses_and_changes_nothing(seeded):
    with pytest.raises(DemoDataExists):
        demo_seed(seed=7)

    assert Conversation.objects.count() == CONVERSATIONS
    assert User.objects.count() == len(set(User.objects.values_list("email", flat=True)))


def test_given_a_seeded_workspace_when_the_demo_command_runs_then_it_explains_how_to_reset(seeded, capsys):
    assert main(["demo"]) == 1
    assert "parley demo --reset --yes" in capsys.readouterr().err

    assert main(["demo", "--reset"]) == 1
    assert "deletes EVERY agent" in capsys.readouterr().err
    assert authenticate(username="admin@parley.example", password=seeded.password) is not None
