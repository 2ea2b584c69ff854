"""Bad input gets a clear 4xx JSON answer naming what is wrong, never a 500, and changes nothing."""
import pytest

from parley.conversations.models import Conversation, Message


@pytest.fixture
def conversation(customer_message):
    return customer_message().conversation


def _unchanged(conversation) -> tuple:
    fresh = Conversation.objects.get(pk=conversation.pk)
    return (fresh.subject, fresh.priority, fresh.status, fresh.assignee_id, fresh.custom_fields, Message.objects.count())


@pytest.mark.parametrize("method, path, body, status, field", [
    ("patch", "/conversations/{id}", b"{not json", 400, None),
    ("patch", "/conversations/{id}", b"[1, 2]", 422, None),
    ("patch", "/conversations/{id}", {"colour": "red"}, 422, "colour"),
    ("patch", "/conversations/{id}", {"priority": "whenever"}, 422, "priority"),
    ("patch", "/conversations/{id}", {"status": "exploded"}, 422, "status"),
    ("patch", "/conversations/{id}", {"subject": ["not", "text"]}, 422, "subject"),
    ("patch", "/conversations/{id}", {"custom_fields": "a string"}, 422, "custom_fields"),
    ("patch", "/conversations/{id}", {"custom_status": 10**30}, 422, "custom_status"),
    ("post", "/conversations/{id}/assign", {"assignee_id": 99999999999999999999999}, 422, "assignee_id"),
    ("post", "/conversations/{id}/assign", {"assignee_id": "me"}, 422, "assignee_id"),
    ("post", "/conversations/{id}/assign", {"assignee_id": 424242}, 422, "assignee_id"),
    ("post", "/conversations/{id}/merge", {"merge_id": -1}, 422, "merge_id"),
    ("post", "/conversations/{id}/messages", {"kind": "shout", "text": "hi"}, 422, "kind"),
    ("post", "/conversations/{id}/messages", {"kind": "reply", "text": "   "}, 422, "text"),
    ("post", "/conversations/{id}/messages", {"kind": "note", "text": "x", "html": "<b>x</b>"}, 422, "body"),
    ("post", "/conversations/{id}/messages", {"kind": "reply", "text": "x", "attachments": [
        {"filename": "a.txt", "content_base64": "***not base64***"}]}, 422, "attachments.0"),
    ("patch", "/conversations/{id}", {"subject": "nul\u0000byte"}, 422, "subject"),
    ("patch", "/conversations/{id}", {"custom_fields": {"k": ["nul\u0000"]}}, 422, "custom_fields"),
    ("put", "/conversations/{id}/tags", {"tags": "vip"}, 422, "tags"),
    ("put", "/conversations/{id}/tags", {"tags": ["x" * 51]}, 422, "tags"),
])
def test_a_bad_body_is_refused_with_a_clear_error_and_changes_nothing(api_as, agent, conversation, method, path, body, status, field):
    before = _unchanged(conversation)

    response = api_as(agent)(method, path.format(id=conversation.pk), body)

    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["message"]
    if field:
        assert any(key.startswith(field) for key in payload["extra"]), payload
    assert _unchanged(conversation) == before


@pytest.mark.parametrize("path, params, field", [
    ("/conversations", {"status": "exploded"}, "status"),
    ("/conversations", {"view": "everything"}, "view"),
    ("/conversations", {"limit": "0"}, "limit"),
    ("/conversations", {"limit": "many"}, "limit"),
    ("/conversations", {"assignee_id": str(10**25)}, "assignee_id"),
    ("/conversations", {"colour": "red"}, "colour"),
    ("/conversations", {"q": "nul\x00byte"}, "q"),
    ("/conversations", {"cursor": "definitely-not-a-cursor"}, "cursor"),
    ("/conversations", {"cursor": "WzEsMl0"}, "cursor"),
    ("/contacts", {"cursor": "WyJ4Il0"}, "cursor"),
])
def test_a_bad_query_string_is_refused_naming_the_parameter(api_as, agent, conversation, path, params, field):
    response = api_as(agent).get(path, **params)

    assert response.status_code == 422, response.content
    assert field in response.json()["extra"]


@pytest.mark.parametrize("path", ["/conversations/99999999999999999999999", "/conversations/-4", "/conversations/abc"])
def test_an_impossible_id_in_the_path_is_a_client_error(api_as, agent, path):
    response = api_as(agent).get(path)

    assert response.status_code in (404, 422)
    assert response.json()["message"]
