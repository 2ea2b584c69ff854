"""Creating an email inbox checks its configuration and says what is wrong."""
import pytest

from parley.channels.email.config import EmailConfig
from parley.channels.models import Inbox
from parley.channels.services import inbox_create
from parley.core.errors import ValidationFailed


def test_an_email_inbox_with_bad_settings_is_refused_with_each_problem_named(db):
    with pytest.raises(ValidationFailed) as refused:
        inbox_create(name="Broken", kind="email", config={
            "addresses": ["not-an-address"], "imap": {"host": "imap.example.test", "security": "tls"},
            "reply_to_closed": "ignore", "rate_limit_per_hour": -1})

    assert refused.value.extra == {
        "addresses": "'not-an-address' is not an email address",
        "imap.security": "must be one of ssl, starttls, none",
        "reply_to_closed": "must be one of reopen, follow_up",
        "rate_limit_per_hour": "must be a whole number, 0 or more",
    }
    assert not Inbox.objects.exists()


def test_an_imap_inbox_needs_a_password_or_an_oauth2_token(db):
    with pytest.raises(ValidationFailed) as refused:
        inbox_create(name="No secret", kind="email", config={
            "addresses": ["support@example.test"], "imap": {"host": "imap.example.test", "username": "support"}})

    assert refused.value.extra == {"imap.password": "a password or an OAuth2 access token is required"}


def test_an_oauth2_inbox_with_an_incomplete_client_is_refused_with_each_problem_named(db):
    with pytest.raises(ValidationFailed) as refused:
        inbox_create(name="OAuth", kind="email", config={
            "addresses": ["support@example.test"],
            "imap": {"host": "imap.gmail.com", "username": "support@example.test", "auth": "oauth2"},
            "oauth2": {"provider": "yahoo", "token_url": "http://tokens.example.test/token", "client_id": "1234"}})

    assert refused.value.extra == {
        "oauth2.provider": "must be one of google, microsoft",
        "oauth2.token_url": "must be an https:// URL",
        "oauth2.refresh_token": "required",
    }
    assert not Inbox.objects.exists()


def test_a_server_set_to_oauth2_needs_the_oauth2_section(db):
    with pytest.raises(ValidationFailed) as refused:
        inbox_create(name="OAuth", kind="email", config={
            "addresses": ["support@example.test"],
            "smtp": {"host": "smtp.office365.com", "username": "support@example.test", "auth": "oauth2"}})

    assert refused.value.extra == {"smtp.auth": 'OAuth2 needs an "oauth2" section with the client and refresh token'}


def test_a_microsoft_365_inbox_is_accepted_and_refreshes_at_its_tenants_token_endpoint(db):
    inbox = inbox_create(name="M365", kind="email", config={
        "addresses": ["support@example.test"],
        "imap": {"host": "outlook.office365.com", "username": "support@example.test", "auth": "oauth2"},
        "smtp": {"host": "smtp.office365.com", "security": "starttls", "username": "support@example.test", "auth": "oauth2"},
        "oauth2": {"provider": "microsoft", "tenant": "contoso.onmicrosoft.com", "client_id": "c1", "refresh_token": "r1"}})

    config = EmailConfig.of(inbox)
    assert config.oauth2.token_url == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    assert config.imap.auth == config.smtp.auth == "oauth2"
