"""Settings → Tags, Statuses and Fields with the Django test client, and what agents then see on a conversation."""
import pytest

from parley.accounts.models import Role
from parley.conversations.models import Conversation, CustomField, CustomStatus, Status, Tag
from parley.conversations.services import custom_status_create


@pytest.fixture
def supervisor_client(client, make_agent):
    client.force_login(make_agent(Role.SUPERVISOR))
    return client


def test_a_supervisor_creates_renames_and_archives_a_tag_and_conversations_keep_it(supervisor_client, api_inbox, receive, agent):
    conversation = receive(api_inbox, "Refund please").conversation

    supervisor_client.post("/settings/tags/", {"name": "Refnd"})
    tag = Tag.objects.get(name="refnd")
    conversation.tags.add(tag)
    supervisor_client.post(f"/settings/tags/{tag.pk}/", {"name": "Refund", "archived": "on"})

    tag.refresh_from_db()
    assert (tag.name, tag.archived) == ("refund", True)
    assert list(conversation.tags.values_list("name", flat=True)) == ["refund"]
    page = supervisor_client.get("/settings/tags/").content.decode()
    assert 'class="card vocabulary-item is-archived" aria-label="refund"' in page
    taken = supervisor_client.post("/settings/tags/", {"name": "REFUND"})
    assert taken.status_code == 422 and "That tag exists." in taken.content.decode()


def test_statuses_are_reordered_and_moving_one_to_another_category_moves_its_conversations(
        supervisor_client, admin, api_inbox, receive):
    vendor = custom_status_create(name="Waiting on vendor", category=Status.PENDING, actor=admin)
    parts = custom_status_create(name="Waiting on parts", category=Status.PENDING, actor=admin)
    conversation = receive(api_inbox, "Broken").conversation
    Conversation.objects.filter(pk=conversation.pk).update(custom_status=parts, status=Status.PENDING)

    supervisor_client.post(f"/settings/statuses/{parts.pk}/move/", {"step": "-1"})
    assert list(CustomStatus.objects.values_list("name", flat=True)) == ["Waiting on parts", "Waiting on vendor"]
    supervisor_client.post(f"/settings/statuses/{parts.pk}/", {"name": "On hold", "category": Status.OPEN})

    conversation.refresh_from_db()
    assert (conversation.status, str(conversation.custom_status)) == (Status.OPEN, "On hold")
    supervisor_client.post(f"/settings/statuses/{vendor.pk}/", {"name": vendor.name, "category": vendor.category, "archived": "on"})
    supervisor_client.get("/settings/statuses/")  # shows, and so clears, the "saved" notice
    page = supervisor_client.get(f"/c/{conversation.pk}/").content.decode()
    assert ">On hold (Open)</option>" in page and "Waiting on vendor" not in page


def test_a_field_required_to_solve_blocks_solving_until_an_agent_fills_it_in(supervisor_client, client, agent, api_inbox, receive):
    created = supervisor_client.post("/settings/fields/", {
        "label": "Reason", "key": "reason", "kind": "choice", "choices": "Bug\nQuestion\n", "required_to_solve": "on"})
    assert created.status_code == 302
    supervisor_client.post("/settings/fields/", {"label": "Order number", "key": "order_number", "kind": "number"})
    conversation = receive(api_inbox, "My order broke").conversation
    client.force_login(agent)

    refused = client.post(f"/c/{conversation.pk}/status/", {"status": Status.SOLVED})
    assert refused.status_code == 422 and "Fill in Reason before solving." in refused.content.decode()
    wrong = client.post(f"/c/{conversation.pk}/fields/", {"priority": "normal", "type": "question",
                                                          "custom_reason": "Bug", "custom_order_number": "twelve"})
    assert wrong.status_code == 422 and "Order number must be a number." in wrong.content.decode()
    client.post(f"/c/{conversation.pk}/fields/", {"priority": "normal", "type": "question",
                                                  "custom_reason": "Bug", "custom_order_number": "1042"})
    solved = client.post(f"/c/{conversation.pk}/status/", {"status": Status.SOLVED})

    conversation.refresh_from_db()
    assert solved.status_code in (200, 302)
    assert conversation.status == Status.SOLVED and conversation.custom_fields == {"reason": "Bug", "order_number": 1042}
    assert 'name="custom_reason"' in client.get(f"/c/{conversation.pk}/").content.decode()


def test_an_archived_field_is_no_longer_asked_or_required(supervisor_client, api_inbox, receive, client, agent):
    supervisor_client.post("/settings/fields/", {"label": "Reason", "key": "reason", "kind": "text", "required_to_solve": "on"})
    field = CustomField.objects.get()
    supervisor_client.post(f"/settings/fields/{field.pk}/", {"label": "Reason", "required_to_solve": "on", "archived": "on"})
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    assert 'name="custom_reason"' not in client.get(f"/c/{conversation.pk}/").content.decode()
    client.post(f"/c/{conversation.pk}/status/", {"status": Status.SOLVED})
    conversation.refresh_from_db()
    assert conversation.status == Status.SOLVED


def test_a_choice_field_without_choices_and_a_bad_key_are_refused_with_the_reason(supervisor_client):
    no_choices = supervisor_client.post("/settings/fields/", {"label": "Reason", "key": "reason", "kind": "choice"})
    bad_key = supervisor_client.post("/settings/fields/", {"label": "Reason", "key": "Reason!", "kind": "text"})

    assert no_choices.status_code == 422 and "A choice field needs at least one choice." in no_choices.content.decode()
    assert bad_key.status_code == 422 and "A key is lower-case letters" in bad_key.content.decode()
    assert not CustomField.objects.exists()


def test_tag_changes_appear_in_the_timeline(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    client.post(f"/c/{conversation.pk}/tags/", {"tags": "billing, vip"})
    client.post(f"/c/{conversation.pk}/tags/", {"tags": "vip, refund"})

    page = client.get(f"/c/{conversation.pk}/").content.decode()
    assert f"{agent} added billing, vip as tags." in page
    assert f"{agent} added refund and removed billing as tags." in page
