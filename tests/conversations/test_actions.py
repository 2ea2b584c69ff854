import pytest
from django.utils import translation

from parley.accounts.models import Role
from parley.accounts.services import team_create
from parley.channels.base import InboundMessage
from parley.contacts.services import contact_merge
from parley.conversations.models import CustomStatus, MessageKind, Status
from parley.conversations.services import (
    conversation_assign, conversation_create, conversation_escalate, conversation_link, conversation_merge, conversation_set_status,
    conversation_set_tags, conversation_update, message_note, message_receive, message_reply,
)
from parley.core.errors import PermissionDenied, ValidationFailed
from parley.core.models import AuditEntry


@pytest.fixture
def conversation(api_inbox):
    inbound = InboundMessage(external_id="m1", identity_kind="external_id", source_id="cust-1", text="Where is my parcel?")
    return message_receive(inbox=api_inbox, inbound=inbound).conversation


def events_of(conversation):
    return list(conversation.messages.filter(kind=MessageKind.EVENT).values_list("text", flat=True))


def test_assigning_an_agent_opens_the_conversation_and_records_who_did_it(conversation, agent, admin, team):
    conversation_assign(conversation=conversation, actor=admin, assignee=agent, team=team)

    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team, conversation.status) == (agent, team, Status.OPEN)
    assert any("assigned this to Sam Agent in Support" in text for text in events_of(conversation))
    assert AuditEntry.objects.filter(action="conversation.assigned", target_id=str(conversation.pk), actor=admin).exists()


def test_an_agent_outside_the_team_cannot_be_assigned_in_it(conversation, admin, make_agent):
    billing = team_create(name="Billing")
    outsider = make_agent(Role.AGENT)

    with pytest.raises(ValidationFailed, match="not a member of Billing"):
        conversation_assign(conversation=conversation, actor=admin, assignee=outsider, team=billing)


def test_a_refused_action_explains_itself_in_the_language_of_the_request(conversation, admin, make_agent):
    billing = team_create(name="Billing")
    outsider = make_agent(Role.AGENT)

    with translation.override("de"), pytest.raises(ValidationFailed) as refused:
        conversation_assign(conversation=conversation, actor=admin, assignee=outsider, team=billing)

    assert refused.value.message == f"{outsider} ist kein Mitglied von Billing."
    assert refused.value.extra == {"assignee": "not in team"}
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_a_light_agent_may_note_but_not_reply_or_assign(conversation, make_agent, agent):
    light = make_agent(Role.LIGHT_AGENT)

    message_note(conversation=conversation, author=light, text="Looks like a carrier issue")
    with pytest.raises(PermissionDenied):
        message_reply(conversation=conversation, author=light, text="Hi!")
    with pytest.raises(PermissionDenied):
        conversation_assign(conversation=conversation, actor=light, assignee=agent)


def test_a_custom_status_sets_its_category_and_solving_then_reopening_counts(conversation, agent):
    waiting = CustomStatus.objects.create(name="Waiting on vendor", category=Status.ON_HOLD)

    conversation_set_status(conversation=conversation, actor=agent, custom_status=waiting)
    assert (conversation.status, conversation.status_label) == (Status.ON_HOLD, "Waiting on vendor")

    conversation_set_status(conversation=conversation, actor=agent, status=Status.SOLVED)
    assert conversation.solved_at is not None
    conversation_set_status(conversation=conversation, actor=agent, status=Status.OPEN)
    assert conversation.reopened_count == 1 and conversation.solved_at is None


def test_unknown_fields_and_values_are_refused_and_change_nothing(conversation, agent):
    with pytest.raises(ValidationFailed) as error:
        conversation_update(conversation=conversation, actor=agent, colour="red")
    assert error.value.extra == {"colour": "unknown field"}
    with pytest.raises(ValidationFailed) as error:
        conversation_update(conversation=conversation, actor=agent, priority="whenever")
    assert "priority" in error.value.extra
    conversation.refresh_from_db()
    assert conversation.priority == "normal"


def test_tags_are_normalised_and_escalation_stops_at_tier_three(conversation, agent):
    conversation_set_tags(conversation=conversation, actor=agent, tags=["Refund", " shipping ", "refund"])
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["refund", "shipping"]

    conversation_escalate(conversation=conversation, actor=agent, reason="needs engineering")
    conversation_escalate(conversation=conversation, actor=agent)
    with pytest.raises(ValidationFailed, match="highest tier"):
        conversation_escalate(conversation=conversation, actor=agent)
    assert conversation.tier == 3
    assert any("tier 2: needs engineering" in text for text in events_of(conversation))


def _second_conversation_of(conversation, text: str, external_id: str = "m9"):
    """The same customer's second, separate conversation (opened by an agent, then written into)."""
    other = conversation_create(inbox=conversation.inbox, contact=conversation.contact, subject="Another thread")
    return message_receive(inbox=conversation.inbox, inbound=InboundMessage(
        external_id=external_id, identity_kind="external_id", source_id="cust-1", text=text, conversation_id=other.pk)).conversation


def test_merging_moves_every_message_and_closes_the_other(api_inbox, conversation, agent):
    other = _second_conversation_of(conversation, "Same parcel, other thread")

    conversation_merge(keep=conversation, merge=other, actor=agent)

    other.refresh_from_db()
    assert other.status == Status.CLOSED and other.merged_into == conversation
    assert conversation.messages.filter(text="Same parcel, other thread").exists()
    with pytest.raises(ValidationFailed, match="already merged"):
        conversation_merge(keep=conversation, merge=other, actor=agent)


def test_merging_another_customers_conversation_is_refused_until_the_customers_are_merged(api_inbox, conversation, agent, admin):
    bobs = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="m9", identity_kind="external_id", source_id="cust-2", contact_name="Bob", text="My own parcel")).conversation

    with pytest.raises(ValidationFailed, match="belongs to another customer") as refused:
        conversation_merge(keep=conversation, merge=bobs, actor=agent)

    assert refused.value.status == 409
    bobs.refresh_from_db()
    assert bobs.merged_into is None and bobs.contact.name == "Bob"
    assert bobs.messages.filter(text="My own parcel").exists()

    contact_merge(keep=conversation.contact, merge=bobs.contact, actor=admin)
    bobs.refresh_from_db()
    conversation_merge(keep=conversation, merge=bobs, actor=agent)
    assert conversation.messages.filter(text="My own parcel").exists()


def test_a_message_to_a_merged_conversation_lands_in_the_one_it_was_merged_into(api_inbox, conversation, agent):
    other = _second_conversation_of(conversation, "first")
    conversation_merge(keep=conversation, merge=other, actor=agent)

    late = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="m10", identity_kind="external_id", source_id="cust-1", text="late", conversation_id=other.pk))

    assert late.conversation_id == conversation.pk


def test_linking_shows_on_both_sides(api_inbox, conversation, agent):
    other = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="m9", identity_kind="external_id", source_id="cust-2", text="Outage?")).conversation

    conversation_link(conversation=conversation, other=other, actor=agent)

    assert list(other.related.all()) == [conversation]


def test_a_mention_in_a_note_notifies_that_agent_only(conversation, agent, make_agent):
    ana = make_agent(Role.AGENT, name="Ana Lopez")
    make_agent(Role.AGENT, name="Bob Smith")

    note = message_note(conversation=conversation, author=agent, text="@ana can you check the carrier?")

    assert list(note.mentions.all()) == [ana]
    assert ana.notifications.get().text.startswith("Sam Agent mentioned you")
