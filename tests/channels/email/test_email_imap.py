"""IMAP polling against a real Dovecot started for each test."""
import base64

import pytest

from mailmaker import mail
from parley.channels.email import services
from parley.channels.email.oauth2 import xoauth2_string
from parley.channels.email.models import EmailInboxState
from parley.conversations.models import Conversation, Message

pytestmark = pytest.mark.servers


@pytest.fixture
def imap_inbox(make_email_inbox, dovecot, transactional_db):
    return make_email_inbox(imap=dovecot.imap_config())


def subjects() -> list[str]:
    return sorted(Conversation.objects.values_list("subject", flat=True))


def test_polling_turns_new_mail_into_conversations_and_marks_it_seen(imap_inbox, dovecot):
    dovecot.append(mail(subject="First"))
    dovecot.append(mail(subject="Second", sender="kim@customer.test"))

    stored = services.inbox_poll(inbox=imap_inbox)

    state = EmailInboxState.objects.get(inbox=imap_inbox)
    assert stored == 2
    assert subjects() == ["First", "Second"]
    assert dovecot.seen_flags() == {1: True, 2: True}
    assert state.last_success_at is not None and state.last_error == ""


def test_polling_again_fetches_only_what_is_new(imap_inbox, dovecot):
    dovecot.append(mail(subject="First"))
    services.inbox_poll(inbox=imap_inbox)

    again = services.inbox_poll(inbox=imap_inbox)
    dovecot.append(mail(subject="Later"))
    later = services.inbox_poll(inbox=imap_inbox)

    assert (again, later) == (0, 1)
    assert subjects() == ["First", "Later"]
    assert Message.objects.filter(direction="in").count() == 2


def test_when_the_server_dies_mid_poll_the_error_shows_and_the_next_poll_gets_the_rest_once(imap_inbox, dovecot, monkeypatch):
    for n in (1, 2, 3):
        dovecot.append(mail(subject=f"Mail {n}"))
    real_store, calls = services.email_store, []

    def store_then_crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            dovecot.kill()
        return real_store(**kwargs)

    monkeypatch.setattr(services, "email_store", store_then_crash_on_second)
    services.inbox_poll(inbox=imap_inbox)
    state = EmailInboxState.objects.get(inbox=imap_inbox)
    assert state.last_error and state.last_error_at is not None and state.failures == 1
    assert state.last_success_at is None and state.next_poll_at is not None

    dovecot.start()
    monkeypatch.setattr(services, "email_store", real_store)
    services.inbox_poll(inbox=imap_inbox)

    assert subjects() == ["Mail 1", "Mail 2", "Mail 3"]
    assert dovecot.seen_flags() == {1: True, 2: True, 3: True}
    state.refresh_from_db()
    assert state.failures == 0 and state.last_success_at is not None


def test_when_storing_fails_the_mail_stays_unseen_and_is_fetched_once_on_the_next_poll(imap_inbox, dovecot, monkeypatch):
    dovecot.append(mail(subject="Fragile"))
    real_store = services.email_store

    def store_fails(**kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(services, "email_store", store_fails)
    services.inbox_poll(inbox=imap_inbox)
    assert dovecot.seen_flags() == {1: False}
    assert "database is locked" in EmailInboxState.objects.get(inbox=imap_inbox).last_error

    monkeypatch.setattr(services, "email_store", real_store)
    services.inbox_poll(inbox=imap_inbox)
    services.inbox_poll(inbox=imap_inbox)

    assert subjects() == ["Fragile"]
    assert dovecot.seen_flags() == {1: True}


def test_an_inbox_can_log_in_with_an_oauth2_access_token(make_email_inbox, dovecot, transactional_db):
    inbox = make_email_inbox(imap=dovecot.imap_config(username="oauth@example.test", password="", oauth2_token=dovecot.token))
    services.inbox_poll(inbox=inbox)

    state = EmailInboxState.objects.get(inbox=inbox)
    assert state.last_success_at is not None and state.last_error == ""


def test_the_minutely_task_polls_due_inboxes_and_skips_those_backing_off(imap_inbox, dovecot, make_email_inbox, run_due_jobs):
    from datetime import timedelta

    from django.utils import timezone

    from parley.channels.email.tasks import poll_email_inboxes

    backing_off = make_email_inbox(imap=dovecot.imap_config(password="wrong"))
    EmailInboxState.objects.create(inbox=backing_off, failures=3, next_poll_at=timezone.now() + timedelta(minutes=5))
    dovecot.append(mail(subject="Polled"))

    polled = poll_email_inboxes()
    run_due_jobs()

    assert polled == 1
    assert subjects() == ["Polled"]
    assert EmailInboxState.objects.get(inbox=backing_off).last_error == ""


def test_a_wrong_password_is_shown_on_the_inbox_state(make_email_inbox, dovecot, transactional_db):
    inbox = make_email_inbox(imap=dovecot.imap_config(password="wrong"))

    services.inbox_poll(inbox=inbox)

    state = EmailInboxState.objects.get(inbox=inbox)
    assert "login as support@example.test failed" in state.last_error
    assert state.last_success_at is None


def test_the_xoauth2_string_matches_googles_documented_example():
    # https://developers.google.com/gmail/imap/xoauth2-protocol: the base64 of the initial client response.
    encoded = base64.b64encode(xoauth2_string("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"))

    assert encoded == (b"dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhk"
                       b"SFJoZG1semRHRXVZMjl0Q2cBAQ==")
