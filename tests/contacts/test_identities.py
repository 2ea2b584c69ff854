import pytest

from parley.channels.base import InboundMessage
from parley.channels.services import inbox_create
from parley.contacts.models import Contact
from parley.contacts.services import contact_merge, contact_resolve_identity
from parley.conversations.services import message_receive
from parley.core.errors import ValidationFailed


def test_the_same_email_in_two_inboxes_is_one_customer(api_inbox, webform_inbox):
    a = contact_resolve_identity(inbox=webform_inbox, kind="email", source_id="Rita@Example.com", name="Rita")
    b = contact_resolve_identity(inbox=api_inbox, kind="email", source_id="rita@example.com")

    assert a.pk == b.pk
    assert sorted(a.identities.values_list("inbox__kind", flat=True)) == ["api", "webform"]


def test_an_unknown_identity_kind_is_refused(api_inbox):
    with pytest.raises(ValidationFailed) as error:
        contact_resolve_identity(inbox=api_inbox, kind="carrier-pigeon", source_id="x")
    assert "kind" in error.value.extra


def test_merging_moves_identities_and_conversations_and_later_messages_follow(api_inbox, admin):
    first = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="1", identity_kind="external_id", source_id="app-user-1", text="hi", contact_email="rita@example.com")).conversation
    second = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="2", identity_kind="external_id", source_id="app-user-2", text="hello again")).conversation
    keep, merge = first.contact, second.contact

    contact_merge(keep=keep, merge=merge, actor=admin)

    assert set(keep.conversations.all()) == {first, second}
    assert keep.identities.count() == 2
    later = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="3", identity_kind="external_id", source_id="app-user-2", text="still me"))
    assert later.conversation.contact_id == keep.pk
    assert Contact.objects.get(pk=merge.pk).merged_into_id == keep.pk


def test_a_contact_cannot_be_merged_twice_or_into_itself(db, admin):
    inbox = inbox_create(name="App", kind="api")
    one = contact_resolve_identity(inbox=inbox, kind="external_id", source_id="1")
    two = contact_resolve_identity(inbox=inbox, kind="external_id", source_id="2")

    with pytest.raises(ValidationFailed):
        contact_merge(keep=one, merge=one, actor=admin)
    contact_merge(keep=one, merge=two, actor=admin)
    with pytest.raises(ValidationFailed, match="already merged"):
        contact_merge(keep=one, merge=two, actor=admin)


def test_an_agent_without_merge_rights_cannot_merge_contacts(api_inbox, agent):
    from parley.core.errors import PermissionDenied

    one = contact_resolve_identity(inbox=api_inbox, kind="external_id", source_id="1")
    two = contact_resolve_identity(inbox=api_inbox, kind="external_id", source_id="2")

    with pytest.raises(PermissionDenied):
        contact_merge(keep=one, merge=two, actor=agent)
    two.refresh_from_db()
    assert two.merged_into is None
