import httpx
import pytest


def test_the_openapi_document_loads_and_lists_every_resource(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/tokens", "/api/v1/contacts/{contact_id}/merge", "/api/v1/conversations/{conversation_id}/assign",
                 "/api/v1/conversations/{conversation_id}/messages", "/api/v1/inboxes/{inbox_id}/messages", "/api/v1/teams/{team_id}/members",
                 "/api/v1/agents/{agent_id}", "/api/v1/tags/{tag_id}", "/api/v1/inboxes/{inbox_id}/envelopes"]:
        assert path in paths, path
    assert "X-Parley-Signature" in paths["/api/v1/inboxes/{inbox_id}/messages"]["post"]["description"]


def test_the_api_docs_page_renders(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


@pytest.mark.servers
def test_over_real_http_a_system_posts_a_customer_message_and_reads_the_conversation_back(parley_server, transactional_db, agent, api_inbox):
    from parley.accounts.services import api_token_create

    _, secret = api_token_create(user=agent, name="shop")
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"contact": {"source_id": "u-1", "name": "Noor"}, "text": "Is the blue one in stock?", "idempotency_key": "http-1"}

    posted = httpx.post(f"{parley_server}/api/v1/inboxes/{api_inbox.pk}/messages", json=body, headers=headers, timeout=10)

    assert posted.status_code == 202, posted.text
    result = posted.json()
    assert result["status"] == "processed" and result["message_id"]
    read = httpx.get(f"{parley_server}/api/v1/conversations/{result['conversation_id']}/messages", headers=headers, timeout=10)
    assert [m["text"] for m in read.json()["items"]] == ["Is the blue one in stock?"]
    listed = httpx.get(f"{parley_server}/api/v1/conversations", params={"inbox_id": api_inbox.pk}, headers=headers, timeout=10)
    assert [c["contact"]["name"] for c in listed.json()["items"]] == ["Noor"]


def test_the_api_docs_page_loads_its_assets_from_this_server_not_a_cdn(client):
    page = client.get("/api/v1/docs").content.decode()

    assert "cdn.jsdelivr.net" not in page and "unpkg" not in page
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui.css" in page
    bundle = client.get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in b"".join(bundle.streaming_content)


def test_answers_mark_every_field_they_always_carry_as_required_and_requests_keep_their_own(client, api_as, agent, db):
    from parley.contacts.services import contact_create

    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    contact = contact_create(name="Noor", email="noor@cust.test")
    answer = api_as(agent).get(f"/contacts/{contact.pk}").json()

    assert set(schemas["ContactOut"]["required"]) == set(schemas["ContactOut"]["properties"]) == set(answer)
    assert set(schemas["MessageOut"]["required"]) == set(schemas["MessageOut"]["properties"])
    assert "sender_unverified" in schemas["MessageOut"]["required"]
    # A request's optional fields stay optional: only what the server refuses without is required.
    assert "required" not in schemas["ContactIn"]
    assert set(schemas["InboundMessageIn"]["required"]) == {"contact", "idempotency_key"}
    assert schemas["ContactIn"]["properties"]["email"]["format"] == "email"
