"""The automation API: rules refused with their reasons, the preview, macros applied, the webhook delivery log."""
import pytest

from parley.automation.models import Rule

pytestmark = pytest.mark.django_db(transaction=True)

TAG_REFUNDS = {"events": ["message.received"], "conditions": [{"field": "message.text", "op": "contains", "value": "refund"}],
               "actions": [{"type": "add_tags", "tags": ["refund"]}]}


def test_a_rule_is_created_and_an_invalid_one_refused_with_every_reason(api_as, admin):
    api = api_as(admin)

    created = api.post("/rules", {"name": "Refunds", "kind": "trigger", "definition": TAG_REFUNDS})
    refused = api.post("/rules", {"name": "Broken", "kind": "trigger", "definition": {
        "events": ["message.received"], "conditions": [{"field": "conversation.mood", "op": "is", "value": "angry"}],
        "actions": [{"type": "set_status", "status": "gone"}]}})

    assert created.status_code == 201 and created.json()["definition"]["actions"] == TAG_REFUNDS["actions"]
    assert refused.status_code == 422
    body = refused.json()
    assert body["message"].startswith("The rule is not valid: conditions.0: unknown field 'conversation.mood'")
    assert set(body["extra"]) == {"conditions.0", "actions.0.status"}
    assert list(Rule.objects.values_list("name", flat=True)) == ["Refunds"]


def test_the_preview_and_a_macro_over_the_api(api_as, admin, agent, api_inbox, receive):
    conversation = receive(api_inbox, "I need a refund").conversation
    admin_api = api_as(admin)

    preview = admin_api.post("/rules/preview", {"kind": "trigger", "definition": TAG_REFUNDS, "conversation_id": conversation.pk})
    macro = admin_api.post("/macros", {"name": "Close", "definition": {"actions": [{"type": "set_status", "status": "solved"}]}})
    applied = api_as(agent).post(f"/conversations/{conversation.pk}/macros/{macro.json()['id']}/apply")

    assert preview.json()["matches"] is True
    assert preview.json()["conditions"][0]["held"] is True
    assert applied.status_code == 204
    conversation.refresh_from_db()
    assert conversation.status == "solved"


def test_the_delivery_log_over_the_api(api_as, admin, receiver, api_inbox, receive):
    api = api_as(admin)
    receiver.plan = [500, 200]
    hook = api.post("/webhooks", {"name": "CRM", "url": receiver.url, "events": ["conversation.created"], "allow_private": True}).json()
    receive(api_inbox, "Hello")

    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json()
    assert delivery["state"] == "queued"
    assert [(a["status_code"], a["error"]) for a in delivery["attempts"]] == [(500, "answered HTTP 500")]

    assert api.post(f"/webhook-deliveries/{delivery['id']}/redeliver").status_code == 202
    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json()
    assert delivery["state"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [200, 500]


def test_the_builder_vocabulary_lists_what_rules_may_say_and_every_action_it_describes_validates(api_as, admin, agent, team):
    from parley.automation.definitions import TriggerDefinition, parse

    vocabulary = api_as(admin).get("/rules/vocabulary").json()
    refused = api_as(agent).get("/rules/vocabulary")

    fields = {f["name"]: f for f in vocabulary["fields"]}
    assert fields["conversation.priority"]["choices"] == ["low", "normal", "high", "urgent"]
    assert vocabulary["ops"]["not_contains"] == "does not contain"
    assert {"value": agent.email, "label": f"Sam Agent <{agent.email}>"} in vocabulary["names"]["agents"]
    assert vocabulary["names"]["teams"] == [{"value": "Support", "label": "Support"}]
    # Names of rows (a webhook's) are checked against the database when saving, not by the schema: any name will do here.
    sample = {"choice": lambda p: p["choices"][0] if "choices" in p else (vocabulary["names"][p["names"]] or [{"value": "CRM"}])[0]["value"],
              "multi": lambda p: [vocabulary["names"][p["names"]][0]["value"]], "list": lambda p: ["vip"],
              "number": lambda p: p["min"], "text": lambda p: "order", "longtext": lambda p: "Thanks"}
    for action in vocabulary["actions"]:
        filled = {"type": action["type"], **{p["name"]: sample[p["kind"]](p) for p in action["parameters"]
                                             if p["empty"] != "omit" or p["name"] == "text"}}
        parse(TriggerDefinition, {"events": ["message.received"], "actions": [filled]}, what="rule")
    assert refused.status_code == 403


def test_a_spanish_client_is_told_in_spanish_that_the_name_is_taken_and_the_code_stays_english(api_as, admin):
    api = api_as(admin)
    api.post("/rules", {"name": "Refunds", "kind": "trigger", "definition": TAG_REFUNDS})
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"

    refused = api.post("/rules", {"name": "refunds", "kind": "trigger", "definition": TAG_REFUNDS})

    assert refused.status_code == 422
    assert refused.json() == {"message": "Otra regla tiene este nombre.", "extra": {"name": "taken"}}
