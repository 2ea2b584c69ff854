"""Typed inbox configuration: each channel's schema checks the API input and generates the settings screen."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from parley.accounts.models import Role
from parley.channels.email.config import EmailConfig, EmailInboxConfig
from parley.channels.models import Inbox
from parley.channels.registry import get_adapter, kinds

SETTINGS = reverse("workspace:inboxes-settings")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_registered_channel_declares_a_settings_schema():
    for kind in kinds():
        assert get_adapter(kind).config_schema.model_json_schema()["type"] == "object"
    assert get_adapter("email").config_schema is EmailInboxConfig


def test_the_api_refuses_a_bad_configuration_naming_each_problem_by_its_path(api_as, admin):
    api = api_as(admin)

    refused = api.post("/inboxes", {"name": "Support", "kind": "email", "config": {
        "addresses": ["support@shop.test"], "imap": {"host": "imap.shop.test", "port": "nine", "password": "pw"},
        "thread_window_days": True, "colour": "blue"}})

    assert refused.status_code == 422
    assert refused.json() == {"message": "The inbox configuration is not valid.", "extra": {
        "imap.port": "must be a whole number", "thread_window_days": "must be a whole number, 0 or more",
        "colour": "unknown field"}}
    assert not Inbox.objects.exists()


def test_a_patch_is_checked_against_the_schema_and_changes_nothing_when_refused(api_as, admin, api_inbox):
    api = api_as(admin)

    refused = api.patch(f"/inboxes/{api_inbox.pk}", {"config": {"callback_url": "ftp://shop.test/hook"}})
    accepted = api.patch(f"/inboxes/{api_inbox.pk}", {"config": {"callback_url": "https://shop.test/hook"}})

    assert refused.status_code == 422 and refused.json()["extra"] == {"callback_url": "must be an http(s) URL"}
    assert accepted.status_code == 200 and accepted.json()["config"] == {"callback_url": "https://shop.test/hook"}


def test_an_admin_creates_an_email_inbox_on_the_settings_screen_from_the_generated_form(admin):
    client = signed_in(admin)
    listing = client.get(SETTINGS).content.decode()
    new_url = reverse("workspace:inbox-new", args=["email"])
    assert new_url in listing and reverse("workspace:inbox-new", args=["api"]) in listing

    form = client.get(new_url).content.decode()
    assert '<select name="config-imap__security"' in form and '<option value="starttls">' in form
    assert 'type="password" name="config-imap__password"' in form
    assert 'name="config-auto_acknowledge"' in form and 'type="checkbox"' in form

    created = client.post(new_url, {
        "name": "Support", "config-addresses": "support@shop.test\nhelp@shop.test", "config-display_name": "Shop Support",
        "config-imap__host": "imap.shop.test", "config-imap__username": "support", "config-imap__password": "imap-pw-1",
        "config-imap__security": "starttls", "config-imap__port": "143", "config-reply_to_closed": "follow_up"})

    inbox = Inbox.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("workspace:inbox-settings", args=[inbox.pk])
    config = EmailConfig.of(inbox)
    assert config.addresses == ("support@shop.test", "help@shop.test")
    assert (config.imap.host, config.imap.port, config.imap.security, config.imap.password) == ("imap.shop.test", 143, "starttls", "imap-pw-1")
    assert config.reply_to_closed == "follow_up" and config.smtp is None


def test_the_settings_form_shows_a_set_secret_empty_and_a_blank_one_keeps_it(admin):
    client = signed_in(admin)
    client.post(reverse("workspace:inbox-new", args=["email"]), {
        "name": "Support", "config-addresses": "support@shop.test", "config-imap__host": "imap.shop.test",
        "config-imap__password": "imap-pw-1"})
    inbox = Inbox.objects.get()
    url = reverse("workspace:inbox-settings", args=[inbox.pk])

    page = client.get(url).content.decode()
    assert "imap-pw-1" not in page and "fernet:" not in page
    password = re.search(r'<input type="password" name="config-imap__password"[^>]*>', page).group(0)
    assert "value=" not in password
    assert "set — leave blank to keep" in page

    saved = client.post(url, {"name": "Support desk", "is_active": "on", "config-addresses": "support@shop.test",
                              "config-imap__host": "imap2.shop.test", "config-imap__password": ""})

    inbox.refresh_from_db()
    assert saved.status_code == 302
    assert (inbox.name, EmailConfig.of(inbox).imap.host, EmailConfig.of(inbox).imap.password) == ("Support desk", "imap2.shop.test", "imap-pw-1")


def test_the_settings_screen_puts_each_problem_next_to_its_field_and_saves_nothing(admin):
    client = signed_in(admin)

    refused = client.post(reverse("workspace:inbox-new", args=["email"]), {
        "name": "Support", "config-addresses": "not-an-address", "config-smtp__host": "smtp.shop.test", "config-smtp__auth": "oauth2"})

    body = refused.content.decode()
    assert refused.status_code == 422
    assert "&#x27;not-an-address&#x27; is not an email address" in body
    assert not Inbox.objects.exists()

    refused = client.post(reverse("workspace:inbox-new", args=["email"]), {
        "name": "Support", "config-addresses": "support@shop.test", "config-smtp__host": "smtp.shop.test", "config-smtp__auth": "oauth2"})
    assert refused.status_code == 422 and "OAuth2 needs an &quot;oauth2&quot; section" in refused.content.decode()
    assert not Inbox.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT])
def test_only_admins_see_and_open_the_inbox_settings(make_agent, admin, role, api_inbox):
    other = signed_in(make_agent(role))

    assert SETTINGS not in other.get(reverse("workspace:home")).content.decode()
    assert SETTINGS in signed_in(admin).get(reverse("workspace:home")).content.decode()
    assert other.get(SETTINGS).status_code == 403
    assert other.post(reverse("workspace:inbox-settings", args=[api_inbox.pk]), {"name": "Mine now"}).status_code == 403
    assert Inbox.objects.get(pk=api_inbox.pk).name == "Shop app"
