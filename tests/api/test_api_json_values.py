"""JSON values no database can keep as sent are refused with a 422 naming the field, and nothing is stored."""
import json

import pytest

from parley.channels.models import InboundEnvelope
from parley.conversations.models import Conversation


def posted(metadata_json: str) -> str:
    return ('{"contact": {"source_id": "shop-user-9"}, "text": "Where is my order?", "idempotency_key": "k1", '
            f'"metadata": {metadata_json}}}')


@pytest.mark.parametrize("metadata_json, complaint", [
    ('{"k": "\\ud800"}', "lone surrogate"),
    ('{"k": ["ok", "\\udfff tail"]}', "lone surrogate"),
    ('{"\\ud800": 1}', "lone surrogate"),
    ('{"score": NaN}', "NaN and Infinity are refused"),
    ('{"score": Infinity}', "NaN and Infinity are refused"),
    ('{"nested": {"score": -Infinity}}', "NaN and Infinity are refused"),
], ids=["surrogate", "surrogate-in-list", "surrogate-key", "nan", "infinity", "nested-minus-infinity"])
def test_an_unstorable_metadata_value_is_a_422_naming_metadata(api_as, agent, api_inbox, metadata_json, complaint):
    response = api_as(agent).post(f"/inboxes/{api_inbox.pk}/messages", posted(metadata_json))

    assert response.status_code == 422, response.content
    assert complaint in response.json()["extra"]["metadata"]
    assert not InboundEnvelope.objects.exists()


def test_metadata_over_the_size_limit_is_a_422_and_nothing_is_stored(api_as, agent, api_inbox, settings):
    settings.PARLEY_MAX_METADATA_BYTES = 1000

    response = api_as(agent).post(f"/inboxes/{api_inbox.pk}/messages", posted(json.dumps({"blob": "x" * 2000})))

    assert response.status_code == 422
    assert "at most 1000 bytes" in response.json()["extra"]["metadata"]
    assert not InboundEnvelope.objects.exists()


def test_metadata_within_the_limit_with_real_non_ascii_text_is_kept(api_as, agent, api_inbox, on_commit):
    with on_commit():
        response = api_as(agent).post(f"/inboxes/{api_inbox.pk}/messages", posted('{"name": "Zoë 😀 請求書", "n": 1.5}'))

    assert response.status_code == 202
    assert InboundEnvelope.objects.get().payload["metadata"] == {"name": "Zoë 😀 請求書", "n": 1.5}


def test_custom_fields_with_nan_on_a_conversation_are_refused_and_unchanged(api_as, agent, customer_message):
    conversation = customer_message().conversation

    response = api_as(agent).patch(f"/conversations/{conversation.pk}", '{"custom_fields": {"score": NaN}}')

    assert response.status_code == 422 and "custom_fields" in response.json()["extra"]
    assert Conversation.objects.get(pk=conversation.pk).custom_fields == {}
