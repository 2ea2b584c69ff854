"""Creating an email inbox checks its configuration and says what is wrong."""
import pytest

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
