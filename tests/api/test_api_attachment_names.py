"""Replies and notes through the API with attachment names no file system can hold: stored safely or refused with JSON."""
import base64

import pytest
from django.conf import settings

from parley.conversations.models import Attachment

HOSTILE_NAMES = ["..", ".", " ", "../../evil.txt", "😀" * 100, "é" * 200, "請求書" * 30 + ".pdf"]


@pytest.mark.parametrize("kind", ["reply", "note"])
@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_a_hostile_attachment_name_is_stored_under_a_generated_name(api_as, agent, customer_message, name, kind):
    conversation = customer_message().conversation
    content = base64.b64encode(b"hello").decode()

    response = api_as(agent).post(f"/conversations/{conversation.pk}/messages", {
        "kind": kind, "text": "See attached", "attachments": [{"filename": name, "content_base64": content}]})

    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
    attachment = Attachment.objects.get()
    assert response.json()["attachments"][0]["filename"] == attachment.filename
    assert attachment.file.read() == b"hello"
    stored = (settings.MEDIA_ROOT / attachment.file.name).resolve()
    assert stored.is_relative_to((settings.MEDIA_ROOT / "attachments").resolve())
    assert attachment.filename.strip() and attachment.filename not in (".", "..") and "/" not in attachment.filename


def test_a_nul_in_an_attachment_name_is_refused_with_json_naming_the_field_and_nothing_is_stored(api_as, agent, customer_message):
    conversation = customer_message().conversation

    response = api_as(agent).post(f"/conversations/{conversation.pk}/messages", {
        "kind": "reply", "text": "See attached", "attachments": [{"filename": "a\x00b", "content_base64": "aGk="}]})

    assert response.status_code == 422
    assert "attachments" in response.json()["extra"]
    assert not Attachment.objects.exists() and conversation.messages.count() == 1
