"""Files on messages are downloaded through the API with the agent's token, as attachments, never sniffed."""
import base64

from django.conf import settings

from parley.channels.base import InboundAttachment


def test_the_url_the_api_returns_downloads_the_file_with_the_token(api_as, agent, customer_message):
    html = b"<script>alert(1)</script>"
    conversation = customer_message(attachments=(InboundAttachment("page.html", "text/html", html),)).conversation
    api = api_as(agent)

    url = api.get(f"/conversations/{conversation.pk}/messages").json()["items"][0]["attachments"][0]["url"]
    response = api.client.get(url.removeprefix(settings.PARLEY_BASE_URL))

    assert url.startswith(settings.PARLEY_BASE_URL + "/api/v1/conversations/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == html
    assert response["Content-Disposition"].startswith('attachment; filename="page.html"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_without_a_token_or_for_another_conversation_the_file_is_not_served(api_as, bearer, agent, customer_message):
    first = customer_message("cust-1", attachments=(InboundAttachment("a.txt", "text/plain", b"secret"),)).conversation
    second = customer_message("cust-2").conversation
    attachment = first.messages.get().attachments.get()

    anonymous = bearer(None).get(f"/conversations/{first.pk}/attachments/{attachment.pk}")
    wrong_conversation = api_as(agent).get(f"/conversations/{second.pk}/attachments/{attachment.pk}")

    assert anonymous.status_code == 401 and anonymous.json()["message"].startswith("A valid API token is required")
    assert wrong_conversation.status_code == 404


def test_a_file_sent_with_a_reply_is_downloadable_from_the_reply_answer(api_as, agent, customer_message):
    conversation = customer_message().conversation
    api = api_as(agent)

    reply = api.post(f"/conversations/{conversation.pk}/messages", {
        "kind": "note", "text": "scan", "attachments": [{"filename": "scan.pdf", "content_base64": base64.b64encode(b"%PDF").decode()}]})
    url = reply.json()["attachments"][0]["url"]

    assert b"".join(api.client.get(url.removeprefix(settings.PARLEY_BASE_URL)).streaming_content) == b"%PDF"
