"""Inbox secrets: encrypted at rest, never shown back in full, kept when an update leaves them out, rotatable."""
import importlib
import json

import pyotp
import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from parley.accounts.models import SingleSignOn
from parley.accounts.security import two_factor_begin, two_factor_confirm
from parley.accounts.sso import sso_config, sso_config_update
from parley.channels.email.config import EmailConfig
from parley.channels.models import Inbox
from parley.channels.secrets import SecretUnreadable
from parley.channels.services import inbox_create, inbox_secrets_rotate, inbox_update
from parley.cli import main
from parley.core.models import AuditEntry

CONFIG = {"addresses": ["support@shop.test"],
          "imap": {"host": "imap.shop.test", "username": "support", "password": "imap-pw-1"},
          "smtp": {"backend": "anymail.backends.mailgun.EmailBackend", "options": {"MAILGUN_API_KEY": "key-mailgun-1"}},
          "oauth2": {"provider": "google", "client_id": "client-1", "client_secret": "oauth-secret-1", "refresh_token": "1//refresh-1"}}
PLAINTEXTS = ("imap-pw-1", "key-mailgun-1", "oauth-secret-1", "1//refresh-1")


def stored_row(inbox) -> str:
    """Return the configuration column exactly as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM inboxes_inbox WHERE id = %s", [inbox.pk])
        return str(cursor.fetchone()[0])


@pytest.fixture
def email_inbox(db, admin):
    return inbox_create(name="Support", kind="email", config=CONFIG, actor=admin)


def test_secrets_are_encrypted_in_the_database_and_read_back_by_the_channel(email_inbox):
    row = stored_row(email_inbox)

    assert not any(secret in row for secret in PLAINTEXTS)
    assert "imap.shop.test" in row and "client-1" in row
    config = EmailConfig.of(Inbox.objects.get(pk=email_inbox.pk))
    assert config.imap.password == "imap-pw-1"
    assert config.backend_options == {"MAILGUN_API_KEY": "key-mailgun-1"}
    assert (config.oauth2.client_secret, config.oauth2.refresh_token) == ("oauth-secret-1", "1//refresh-1")


def test_the_api_shows_secrets_masked_with_a_set_flag(api_as, admin, email_inbox):
    shown = api_as(admin).get(f"/inboxes/{email_inbox.pk}").json()

    assert shown["config"]["imap"]["password"] == "••••"
    assert shown["config"]["smtp"]["options"] == "••••"
    assert shown["config"]["oauth2"]["client_id"] == "client-1"
    assert shown["secrets"] == {"imap.password": True, "imap.oauth2_token": False, "smtp.password": False,
                                "smtp.oauth2_token": False, "smtp.options": True, "oauth2.client_secret": True,
                                "oauth2.refresh_token": True, "oauth2.access_token": False}
    assert not any(secret in json.dumps(shown) for secret in PLAINTEXTS)


def test_an_update_that_leaves_a_secret_out_or_sends_the_mask_keeps_it_and_null_removes_it(api_as, admin, email_inbox):
    api = api_as(admin)

    api.patch(f"/inboxes/{email_inbox.pk}", {"config": {"imap": {"host": "imap2.shop.test", "username": "support"}}})
    api.patch(f"/inboxes/{email_inbox.pk}", {"config": {"oauth2": {**CONFIG["oauth2"], "client_secret": "••••", "refresh_token": "••••"}}})
    kept = EmailConfig.of(Inbox.objects.get(pk=email_inbox.pk))
    changed = api.patch(f"/inboxes/{email_inbox.pk}", {"config": {"oauth2": {**CONFIG["oauth2"], "client_secret": None,
                                                                              "refresh_token": "1//refresh-2"}}})

    assert (kept.imap.host, kept.imap.password) == ("imap2.shop.test", "imap-pw-1")
    assert (kept.oauth2.client_secret, kept.oauth2.refresh_token) == ("oauth-secret-1", "1//refresh-1")
    assert changed.status_code == 200, changed.json()
    now = EmailConfig.of(Inbox.objects.get(pk=email_inbox.pk))
    assert (now.oauth2.client_secret, now.oauth2.refresh_token) == ("", "1//refresh-2")
    assert changed.json()["secrets"]["oauth2.client_secret"] is False


def test_the_audit_log_names_changed_settings_and_masks_the_secrets(admin, email_inbox):
    inbox_update(inbox=email_inbox, actor=admin, config={"imap": {**CONFIG["imap"], "password": "imap-pw-2"}, "display_name": "Shop"})

    entries = list(AuditEntry.objects.filter(target_type="inboxes.inbox").order_by("id"))
    logged = json.dumps([entry.changes for entry in entries], ensure_ascii=False)
    assert [entry.action for entry in entries] == ["inbox.created", "inbox.updated"]
    assert entries[1].changes["config"] == {"display_name": [None, "Shop"], "imap.password": ["••••", "••••"]}
    assert not any(secret in logged for secret in (*PLAINTEXTS, "imap-pw-2"))


def test_the_django_admin_shows_the_configuration_masked(client, admin, email_inbox):
    client.force_login(admin)

    page = client.get(reverse("admin:inboxes_inbox_change", args=[email_inbox.pk])).content.decode()

    assert "imap.shop.test" in page and "••••" in page
    assert not any(secret in page for secret in PLAINTEXTS) and "fernet:" not in page


def test_rotation_re_encrypts_with_the_new_key_so_the_old_one_can_be_dropped(settings, email_inbox, capsys):
    settings.PARLEY_ENCRYPTION_KEYS = ["old-key-with-enough-entropy"]
    inbox_secrets_rotate()
    settings.PARLEY_ENCRYPTION_KEYS = ["new-key-with-enough-entropy", "old-key-with-enough-entropy"]
    before = stored_row(email_inbox)

    assert main(["rotate-keys"]) == 0

    assert "Re-encrypted the secrets of 1 inbox(es)" in capsys.readouterr().out
    assert stored_row(email_inbox) != before
    settings.PARLEY_ENCRYPTION_KEYS = ["new-key-with-enough-entropy"]
    settings.SECRET_KEY = "another-secret-key-entirely"
    assert EmailConfig.of(Inbox.objects.get(pk=email_inbox.pk)).imap.password == "imap-pw-1"


def test_a_secret_no_configured_key_opens_fails_loudly_and_rotation_changes_nothing(settings, email_inbox, capsys):
    settings.PARLEY_ENCRYPTION_KEYS = ["old-key-with-enough-entropy"]
    inbox_secrets_rotate()
    before = stored_row(email_inbox)
    settings.PARLEY_ENCRYPTION_KEYS = ["unrelated-key"]

    with pytest.raises(SecretUnreadable, match="add back the key"):
        EmailConfig.of(Inbox.objects.get(pk=email_inbox.pk))
    assert main(["rotate-keys"]) == 1
    assert "nothing was changed" in capsys.readouterr().err
    assert stored_row(email_inbox) == before


def test_the_data_migration_encrypts_plaintext_configurations_that_kept_working_until_then(email_inbox):
    Inbox.objects.filter(pk=email_inbox.pk).update(config=CONFIG)  # as stored before secrets were encrypted
    assert EmailConfig.of(Inbox.objects.get(pk=email_inbox.pk)).imap.password == "imap-pw-1"

    migration = importlib.import_module("parley.channels.migrations.0005_encrypt_secrets_and_index_addresses")
    migration.forward(apps, None)

    assert not any(secret in stored_row(email_inbox) for secret in PLAINTEXTS)
    assert EmailConfig.of(Inbox.objects.get(pk=email_inbox.pk)).oauth2.refresh_token == "1//refresh-1"



def test_rotation_re_encrypts_authenticator_apps_and_the_single_sign_on_secret_too(settings, email_inbox, admin, capsys):
    settings.PARLEY_ENCRYPTION_KEYS = ["old-key-with-enough-entropy"]
    app_secret = two_factor_begin(user=admin)
    sso_config_update(actor=admin, enabled=True, provider_name="Okta", client_id="parley", client_secret="sso-secret-1",
                      authorization_endpoint="https://id.shop.test/authorize", token_endpoint="https://id.shop.test/token",
                      userinfo_endpoint="https://id.shop.test/userinfo", jwks_endpoint="https://id.shop.test/jwks")
    settings.PARLEY_ENCRYPTION_KEYS = ["new-key-with-enough-entropy", "old-key-with-enough-entropy"]

    assert main(["rotate-keys"]) == 0

    assert ("1 inbox(es), 1 authenticator app(s) and the single sign-on client secret"
            in capsys.readouterr().out)
    # Only the new key is left, and not even the secret key the default key derives from.
    settings.PARLEY_ENCRYPTION_KEYS = ["new-key-with-enough-entropy"]
    settings.SECRET_KEY = "another-secret-key-entirely"
    assert len(two_factor_confirm(user=admin, code=pyotp.TOTP(app_secret).now())) > 0
    assert sso_config().client_secret == "sso-secret-1"
    assert "sso-secret-1" not in SingleSignOn.objects.get().client_secret
