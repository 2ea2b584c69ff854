"""Settings → Automations, Canned responses, Macros and Webhooks, and the conversation page's macros, with the test client."""
import json

import pytest
from django.test import Client

from parley.automation.models import CannedResponse, Macro, Rule, Webhook, WebhookDelivery
from parley.automation.services.library import canned_response_create, macro_create
from parley.automation.services.webhooks import webhook_create
from parley.conversations.models import MessageKind

RULE = {"events": ["message.received"], "conditions": [{"field": "conversation.priority", "op": "is", "value": "urgent"},
                                                        {"field": "message.text", "op": "contains", "value": "refund"}],
        "actions": [{"type": "add_tags", "tags": ["refund"]}]}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def conversation(api_inbox, receive):
    return receive(api_inbox, "I want a refund for order A-17", name="Rita Ruiz").conversation


def test_admins_and_supervisors_find_automations_in_the_sidebar_and_agents_are_refused(admin, agent):
    page = client_for(admin).get("/settings/automations/")
    assert page.status_code == 200
    assert "Settings → Automations" in page.content.decode()
    assert client_for(agent).get("/settings/automations/").status_code == 403
    assert "Settings → Automations" not in client_for(agent).get("/").content.decode()


def test_a_rule_is_created_from_the_form_and_listed(admin):
    client = client_for(admin)
    response = client.post("/settings/automations/new/trigger/", {"name": "Refunds", "definition": json.dumps(RULE),
                                                                  "position": 10, "is_active": "on"})
    rule = Rule.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/settings/automations/{rule.pk}/"
    assert rule.definition["actions"] == RULE["actions"]
    assert "Refunds" in client.get("/settings/automations/").content.decode()


def test_a_definition_that_is_not_valid_is_shown_with_the_reason_and_not_stored(admin):
    client = client_for(admin)
    broken = {**RULE, "actions": [{"type": "set_priority", "priority": "whenever"}]}

    response = client.post("/settings/automations/new/trigger/", {"name": "Refunds", "definition": json.dumps(broken), "position": 1})
    not_json = client.post("/settings/automations/new/trigger/", {"name": "Refunds", "definition": "{'events': ", "position": 1})

    assert response.status_code == 422
    assert "The rule is not valid: actions.0.priority" in response.content.decode()
    assert not_json.status_code == 422 and "This is not JSON" in not_json.content.decode()
    assert not Rule.objects.exists()


def test_the_preview_says_whether_a_rule_would_act_on_a_conversation_and_why_and_changes_nothing(admin, agent, conversation):
    client = client_for(admin)

    miss = client.post("/settings/automations/preview/trigger/", {"number": conversation.pk, "definition": json.dumps(RULE)})
    from parley.conversations.services import conversation_update
    conversation_update(conversation=conversation, actor=agent, priority="urgent")
    hit = client.post("/settings/automations/preview/trigger/", {"number": conversation.pk, "definition": json.dumps(RULE)})
    unknown = client.post("/settings/automations/preview/trigger/", {"number": 99999, "definition": json.dumps(RULE)})

    assert f"It would not act on #{conversation.pk} now." in miss.content.decode()
    assert "✗ <code>conversation.priority is &#x27;urgent&#x27;</code> <span class=\"muted\">— is normal</span>" in miss.content.decode()
    assert f"It would act on #{conversation.pk} now." in hit.content.decode()
    assert "add tags (tags=[&#x27;refund&#x27;])" in hit.content.decode()
    assert unknown.status_code == 422 and "There is no conversation with this number." in unknown.content.decode()
    assert not conversation.tags.exists()


def test_a_canned_response_is_saved_and_the_composer_gets_it_filled_in(admin, agent, conversation):
    client = client_for(admin)
    response = client.post("/settings/canned-responses/", {
        "shortcut": "/refund", "title": "Refund started",
        "text": "Hi {{contact.first_name}}, the refund for #{{conversation.number}} is on its way. {{agent.first_name}}"})
    assert response.status_code == 302
    refused = client.post("/settings/canned-responses/", {"shortcut": "oops", "title": "Oops", "text": "Hi {{contact.shoe_size}}"})
    assert refused.status_code == 422 and "unknown variables: {{contact.shoe_size}}" in refused.content.decode()

    found = client_for(agent).get(f"/c/{conversation.pk}/canned-responses/search/", {"q": "ref"}).json()["results"]

    assert found == [{"shortcut": "refund", "title": "Refund started",
                      "text": f"Hi Rita, the refund for #{conversation.pk} is on its way. Sam"}]
    assert CannedResponse.objects.count() == 1
    missing = client_for(agent).get("/c/99999/canned-responses/search/", {"q": "ref"})
    assert (missing.status_code, missing.json()["message"]) == (404, "There is no conversation #99999.")


def test_an_agent_applies_a_macro_from_the_conversation_page(admin, agent, conversation):
    macro_create(name="Refund and wait", actor=admin, definition={
        "actions": [{"type": "add_tags", "tags": ["refund"]}, {"type": "set_status", "status": "pending"}],
        "reply": "Hi {{contact.first_name}}, we started your refund."})
    client = client_for(agent)
    assert "Apply macro" in client.get(f"/c/{conversation.pk}/").content.decode()

    response = client.post(f"/c/{conversation.pk}/macros/apply/", {"macro": Macro.objects.get().pk}, follow=True)

    conversation.refresh_from_db()
    assert conversation.status == "pending"
    assert list(conversation.tags.values_list("name", flat=True)) == ["refund"]
    reply = conversation.messages.filter(kind=MessageKind.REPLY, author=agent).get()
    assert reply.text == "Hi Rita, we started your refund."
    assert "Applied the macro “Refund and wait”." in response.content.decode()


def test_a_macro_that_cannot_be_applied_changes_nothing_and_says_why(admin, agent, conversation):
    from parley.conversations.services import conversation_escalate
    for _ in range(2):
        conversation_escalate(conversation=conversation, actor=agent)
    macro_create(name="Tag and escalate", actor=admin, definition={"actions": [{"type": "add_tags", "tags": ["x"]},
                                                                               {"type": "escalate", "reason": "needs an engineer"}]})

    response = client_for(agent).post(f"/c/{conversation.pk}/macros/apply/", {"macro": Macro.objects.get().pk}, follow=True)

    assert "The macro “Tag and escalate” was not applied: Already at the highest tier (3)." in response.content.decode()
    assert not conversation.tags.exists()
    assert not conversation.messages.filter(text__contains="applied the macro").exists()


def test_webhooks_are_refused_for_private_targets_in_the_form_and_show_their_log(admin):
    client = client_for(admin)
    refused = client.post("/settings/webhooks/", {"name": "CRM", "url": "http://127.0.0.1:8/x", "events": ["conversation.created"]})
    assert refused.status_code == 422
    assert "private, loopback or link-local address: refused" in refused.content.decode()
    assert not Webhook.objects.exists()

    created = client.post("/settings/webhooks/", {"name": "CRM", "url": "http://127.0.0.1:8/x", "events": ["conversation.created"],
                                                  "allow_private": "on"})
    webhook = Webhook.objects.get()
    assert created.status_code == 302
    page = client.get(f"/settings/webhooks/{webhook.pk}/").content.decode()
    assert webhook.secret in page and "Delivery log" in page


@pytest.mark.django_db(transaction=True)
def test_a_delivery_is_redelivered_from_the_log(admin, receiver, api_inbox, receive):
    webhook = webhook_create(name="CRM", url=receiver.url, events=["conversation.created"], allow_private=True, actor=admin)
    receive(api_inbox, "Hello")
    delivery = WebhookDelivery.objects.get()
    receiver.plan = [202]

    response = client_for(admin).post(f"/settings/webhooks/deliveries/{delivery.pk}/redeliver/", follow=True)

    page = response.content.decode()
    assert f"Delivery #{delivery.pk} was delivered." in page
    assert "HTTP 202" in page and "HTTP 200" in page and "answer 202" in page
    assert len(receiver.requests) == 2 and webhook.deliveries.count() == 1


def test_supervisors_manage_canned_responses_but_not_webhooks(make_agent):
    supervisor = make_agent("supervisor")
    client = client_for(supervisor)
    assert client.get("/settings/canned-responses/").status_code == 200
    assert client.get("/settings/webhooks/").status_code == 403
    canned_response_create(shortcut="hi", title="Hi", text="Hi", actor=supervisor)


def test_admins_see_in_the_sidebar_and_on_its_page_that_a_webhook_was_switched_off(admin, make_agent):
    from django.utils import timezone

    webhook = webhook_create(name="CRM", url="http://127.0.0.1:9/x", events=["*"], allow_private=True, actor=admin)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, disabled_at=timezone.now(),
                                                 disabled_reason="15 failed attempts in a row; the last: answered HTTP 500")
    client = client_for(admin)

    home = client.get("/").content.decode()
    page = client.get(f"/settings/webhooks/{webhook.pk}/").content.decode()

    assert 'title="Webhooks switched off after repeated failures">1</span>' in home
    assert "Parley switched this webhook off" in page and "answered HTTP 500" in page
    assert "Webhooks switched off" not in client_for(make_agent("supervisor")).get("/").content.decode()
