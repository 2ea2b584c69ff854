import base64

import pytest

from parley.conversations.models import Conversation, CustomStatus, DeliveryStatus, Message, MessageKind


def test_given_many_conversations_when_paged_with_a_cursor_then_each_appears_once_newest_first(api_as, agent, customer_message):
    ids = [customer_message(source_id=f"c{n}").conversation_id for n in range(5)]
    api = api_as(agent)

    seen, cursor = [], ""
    while True:
        page = api.get("/conversations", limit=2, cursor=cursor).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert seen == list(reversed(ids))


def test_conversations_filter_by_status_priority_tag_and_text(api_as, agent, customer_message):
    late = customer_message(source_id="a", text="Where is my parcel?").conversation
    refund = customer_message(source_id="b", text="I want a refund").conversation
    api = api_as(agent)
    api.patch(f"/conversations/{refund.pk}", {"priority": "urgent", "status": "pending"})
    api.put(f"/conversations/{late.pk}/tags", {"tags": ["Shipping"]})

    def ids(**filters):
        return [c["id"] for c in api.get("/conversations", **filters).json()["items"]]

    assert ids(priority="urgent") == [refund.pk]
    assert ids(status="pending") == [refund.pk]
    assert ids(tag="shipping") == [late.pk]
    assert ids(q="parcel") == [late.pk]
    assert set(ids(status="active")) == {late.pk, refund.pk}


def test_one_conversation_reads_with_its_contact_inbox_and_tags(api_as, agent, customer_message):
    conversation = customer_message(contact_name="Rita Ruiz").conversation

    body = api_as(agent).get(f"/conversations/{conversation.pk}").json()

    assert body["contact"]["name"] == "Rita Ruiz"
    assert body["inbox"]["kind"] == "api"
    assert body["status"] == "new" and body["tags"] == []


def test_patch_changes_fields_and_status_and_records_it_on_the_timeline(api_as, agent, customer_message):
    conversation = customer_message().conversation
    waiting = CustomStatus.objects.create(name="Waiting on vendor", category="on_hold")

    response = api_as(agent).patch(f"/conversations/{conversation.pk}", {
        "subject": "Late parcel", "priority": "high", "custom_fields": {"order": "A-17"}, "custom_status": waiting.pk})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["subject"], body["priority"], body["status"], body["status_label"]) == ("Late parcel", "high", "on_hold", "Waiting on vendor")
    assert body["custom_fields"] == {"order": "A-17"}
    assert conversation.messages.filter(kind=MessageKind.EVENT, text__contains="Late parcel").exists()


def test_assign_escalate_link_and_merge(api_as, agent, team, customer_message):
    from parley.conversations.services import conversation_create

    first = customer_message(source_id="a").conversation
    second = customer_message(source_id="b").conversation
    third = conversation_create(inbox=first.inbox, contact=first.contact, subject="The same customer, another matter")
    api = api_as(agent)

    assigned = api.post(f"/conversations/{first.pk}/assign", {"assignee_id": agent.pk, "team_id": team.pk}).json()
    escalated = api.post(f"/conversations/{first.pk}/escalate", {"reason": "needs billing"}).json()
    linked = api.post(f"/conversations/{first.pk}/links", {"other_id": second.pk}).json()
    merged = api.post(f"/conversations/{first.pk}/merge", {"merge_id": third.pk}).json()

    assert (assigned["assignee"]["id"], assigned["team"]["name"], assigned["status"]) == (agent.pk, "Support", "open")
    assert escalated["tier"] == 2
    assert linked["related_ids"] == [second.pk]
    assert merged["id"] == first.pk
    assert api.get(f"/conversations/{third.pk}").json()["merged_into_id"] == first.pk
    assert third.pk not in [c["id"] for c in api.get("/conversations").json()["items"]]

    refused = api.post(f"/conversations/{first.pk}/merge", {"merge_id": second.pk})
    assert refused.status_code == 409
    assert "belongs to another customer" in refused.json()["message"]
    assert api.get(f"/conversations/{second.pk}").json()["merged_into_id"] is None


def test_assigning_an_agent_outside_the_team_is_refused_and_changes_nothing(api_as, agent, make_agent, team, customer_message):
    conversation = customer_message().conversation
    outsider = make_agent()

    response = api_as(agent).post(f"/conversations/{conversation.pk}/assign", {"assignee_id": outsider.pk, "team_id": team.pk})

    assert response.status_code == 422
    assert "assignee" in response.json()["extra"]
    conversation.refresh_from_db()
    assert conversation.assignee_id is None


def test_a_refusal_is_explained_in_the_language_the_client_asks_for_and_its_codes_stay_english(api_as, agent, make_agent, team,
                                                                                               customer_message):
    conversation = customer_message().conversation
    outsider = make_agent()
    api = api_as(agent)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"

    response = api.post(f"/conversations/{conversation.pk}/assign", {"assignee_id": outsider.pk, "team_id": team.pk})

    assert response.status_code == 422
    assert response.json()["message"] == f"{outsider} no es miembro de {team}."
    assert response.json()["extra"] == {"assignee": "not in team"}


def test_an_agent_starts_an_outbound_conversation_with_a_first_reply(api_as, agent, api_inbox, customer_message, on_commit):
    contact = customer_message().conversation.contact

    with on_commit():
        response = api_as(agent).post("/conversations", {"contact_id": contact.pk, "inbox_id": api_inbox.pk,
                                                         "subject": "Your order shipped", "text": "It is on its way."})

    assert response.status_code == 201, response.json()
    conversation = Conversation.objects.get(pk=response.json()["id"])
    reply = conversation.messages.get(kind=MessageKind.REPLY)
    assert (conversation.subject, reply.text, reply.author) == ("Your order shipped", "It is on its way.", agent)
    assert reply.delivery_status == DeliveryStatus.SENT


def test_messages_are_listed_oldest_first_and_agents_post_replies_and_notes_with_attachments(api_as, agent, customer_message):
    conversation = customer_message(text="Hello?").conversation
    api = api_as(agent)
    pdf = base64.b64encode(b"%PDF-1.4 invoice").decode()

    reply = api.post(f"/conversations/{conversation.pk}/messages", {
        "kind": "reply", "text": "Here is the invoice", "html": "<p>Here <script>x()</script>is the invoice</p>",
        "attachments": [{"filename": "invoice.pdf", "content_type": "application/pdf", "content_base64": pdf}]})
    note = api.post(f"/conversations/{conversation.pk}/messages", {"kind": "note", "text": "Customer seems upset"})

    assert reply.status_code == 201 and note.status_code == 201
    assert reply.json()["attachments"][0]["size"] == len(b"%PDF-1.4 invoice")
    assert "<script>" not in reply.json()["html"]
    assert reply.json()["delivery_status"] == "queued"
    kinds = [(m["kind"], m["text"]) for m in api.get(f"/conversations/{conversation.pk}/messages").json()["items"]
             if m["kind"] != "event"]
    assert kinds == [("reply", "Hello?"), ("reply", "Here is the invoice"), ("note", "Customer seems upset")]


def test_an_oversized_attachment_is_refused_with_413_and_nothing_is_stored(api_as, agent, customer_message, settings):
    settings.PARLEY_MAX_ATTACHMENT_BYTES = 100
    conversation = customer_message().conversation
    before = Message.objects.count()

    response = api_as(agent).post(f"/conversations/{conversation.pk}/messages", {
        "kind": "reply", "text": "big", "attachments": [{"filename": "big.bin", "content_base64": base64.b64encode(b"x" * 101).decode()}]})

    assert response.status_code == 413
    assert "big.bin" in response.json()["message"]
    assert Message.objects.count() == before


def test_tags_are_listed_created_and_deleted(api_as, admin, customer_message):
    api = api_as(admin)
    conversation = customer_message().conversation
    api.put(f"/conversations/{conversation.pk}/tags", {"tags": ["vip"]})

    created = api.post("/tags", {"name": "Refund"})
    duplicate = api.post("/tags", {"name": "refund"})
    vip = next(t for t in api.get("/tags").json()["items"] if t["name"] == "vip")
    deleted = api.delete(f"/tags/{vip['id']}")

    assert created.status_code == 201 and created.json()["name"] == "refund"
    assert duplicate.status_code == 422 and duplicate.json()["extra"] == {"name": "taken"}
    assert deleted.status_code == 204
    assert [t["name"] for t in api.get("/tags").json()["items"]] == ["refund"]
    assert api.get(f"/conversations/{conversation.pk}").json()["tags"] == []


@pytest.mark.parametrize("path", ["/conversations/999999", "/conversations/999999/messages", "/contacts/999999",
                                  "/teams/999999", "/inboxes/999999"])
def test_unknown_ids_answer_404_json(api_as, admin, path):
    response = api_as(admin).get(path)

    assert response.status_code == 404
    assert response.json()["message"]


def test_an_admin_deletes_a_conversation_for_good(api_as, admin, customer_message):
    conversation = customer_message().conversation

    response = api_as(admin).delete(f"/conversations/{conversation.pk}")

    assert response.status_code == 204
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
