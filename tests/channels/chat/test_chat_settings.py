"""The chat inbox's settings screen: generated from its typed configuration, with the embed snippet."""
import html

from django.conf import settings

from parley.channels.config import MASK
from parley.channels.models import Inbox


def test_an_admin_creates_a_chat_inbox_from_settings_and_gets_its_embed_snippet(client, admin):
    client.force_login(admin)
    response = client.post("/settings/inboxes/new/chat/", {
        "name": "Shop chat", "greeting": "Hi!", "config-allowed_origins": "https://shop.example.com\n",
        "config-color": "#16a34a", "config-position": "left", "config-identity_secret": "s3cret"})
    inbox = Inbox.objects.get(kind="chat")
    assert response.status_code == 302
    assert inbox.settings["allowed_origins"] == ["https://shop.example.com"]
    assert inbox.settings["identity_secret"] == "s3cret" and inbox.config["identity_secret"] != "s3cret"

    page = html.unescape(client.get(f"/settings/inboxes/{inbox.pk}/").content.decode())
    snippet = page.split('<textarea id="embed-snippet" readonly rows="2">')[1].split("</textarea>")[0]
    assert snippet == f'<script src="{settings.PARLEY_BASE_URL}/chat/widget.js" data-inbox="{inbox.key}" async></script>'
    assert "s3cret" not in page and MASK not in snippet


def test_a_bad_origin_or_colour_is_shown_next_to_its_field(client, admin):
    client.force_login(admin)
    response = client.post("/settings/inboxes/new/chat/", {
        "name": "Shop chat", "config-allowed_origins": "shop.example.com/path", "config-color": "green"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "shop.example.com/path is not an origin" in page
    assert "must be a colour like #2563eb" in page
    assert not Inbox.objects.filter(kind="chat").exists()
