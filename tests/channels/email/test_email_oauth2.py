"""OAuth2 mailboxes: access tokens refreshed at the token endpoint, then used for XOAUTH2 on real IMAP and SMTP.

The token endpoints of Google and Microsoft are remote, so a local HTTP server stands in for
them, speaking the documented wire format of RFC 6749's refresh_token grant (section 6):
a form-encoded POST answered with JSON {"access_token", "expires_in", ...}, or 400 with
{"error": "invalid_grant", ...} as Google answers a revoked token. Dovecot and the SMTP sink are real.
"""
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from mailmaker import mail
from parley.channels.email import services
from parley.channels.email.models import EmailInboxState
from parley.channels.models import Inbox
from parley.conversations.models import Conversation, DeliveryStatus
from parley.conversations.services import message_reply

pytestmark = [pytest.mark.servers, pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")]

REVOKED = (400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})


def granting(access_token: str, **extra) -> tuple[int, dict]:
    return 200, {"access_token": access_token, "expires_in": 3599, "token_type": "Bearer",
                 "scope": "https://mail.google.com/", **extra}


class TokenEndpoint:
    """Records each token request's form fields; answers with `answer` (status, JSON body)."""

    def __init__(self):
        self.requests: list[dict[str, str]] = []
        self.answer = granting("ya29.fresh-access-token")
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                endpoint.requests.append({k: v[0] for k, v in parse_qs(body).items()} | {
                    "content_type": self.headers["Content-Type"]})
                status, answer = endpoint.answer
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def token_endpoint():
    endpoint = TokenEndpoint()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


def oauth2_section(endpoint: TokenEndpoint, **overrides) -> dict:
    return {"provider": "google", "token_url": endpoint.url, "client_id": "1234.apps.googleusercontent.com",
            "client_secret": "client-secret", "refresh_token": "1//refresh-token", **overrides}


@pytest.fixture
def oauth2_imap_inbox(make_email_inbox, dovecot, token_endpoint, transactional_db):
    token_endpoint.answer = granting(dovecot.token)

    def make(**oauth2):
        return make_email_inbox(imap=dovecot.imap_config(username=dovecot.oauth_user, password="", auth="oauth2"),
                                oauth2=oauth2_section(token_endpoint, **oauth2))

    return make


@pytest.mark.parametrize("stored_token", [
    pytest.param({}, id="no-token-yet"),
    pytest.param({"access_token": "ya29.expired", "expires_at": "2020-01-01T00:00:00+00:00"}, id="expired-token"),
])
def test_given_no_usable_access_token_when_polling_then_it_is_refreshed_stored_and_logs_in(
        oauth2_imap_inbox, dovecot, token_endpoint, stored_token):
    inbox = oauth2_imap_inbox(**stored_token)
    dovecot.append(mail(subject="Via OAuth"), user=dovecot.oauth_user)

    services.inbox_poll(inbox=inbox)

    (request,) = token_endpoint.requests
    assert request == {"grant_type": "refresh_token", "refresh_token": "1//refresh-token",
                       "client_id": "1234.apps.googleusercontent.com", "client_secret": "client-secret",
                       "content_type": "application/x-www-form-urlencoded"}
    stored = Inbox.objects.get(pk=inbox.pk).settings["oauth2"]
    assert stored["access_token"] == dovecot.token
    expires_at = datetime.fromisoformat(stored["expires_at"])
    assert timezone.now() + timedelta(minutes=55) < expires_at <= timezone.now() + timedelta(seconds=3599)
    assert stored["refresh_token"] == "1//refresh-token"
    assert list(Conversation.objects.values_list("subject", flat=True)) == ["Via OAuth"]
    assert EmailInboxState.objects.get(inbox=inbox).last_error == ""


def test_a_token_that_is_still_valid_is_used_without_asking_the_token_endpoint(oauth2_imap_inbox, dovecot, token_endpoint):
    later = (timezone.now() + timedelta(minutes=30)).isoformat()
    inbox = oauth2_imap_inbox(access_token=dovecot.token, expires_at=later)
    dovecot.append(mail(subject="No refresh needed"), user=dovecot.oauth_user)

    services.inbox_poll(inbox=inbox)

    assert token_endpoint.requests == []
    assert list(Conversation.objects.values_list("subject", flat=True)) == ["No refresh needed"]


def test_a_revoked_refresh_token_shows_a_clear_error_on_the_inbox_state_and_fetches_nothing(
        oauth2_imap_inbox, dovecot, token_endpoint):
    inbox = oauth2_imap_inbox(access_token="ya29.expired", expires_at="2020-01-01T00:00:00+00:00")
    token_endpoint.answer = REVOKED
    dovecot.append(mail(subject="Waiting"), user=dovecot.oauth_user)

    services.inbox_poll(inbox=inbox)

    state = EmailInboxState.objects.get(inbox=inbox)
    assert "invalid_grant (Token has been expired or revoked.)" in state.last_error
    assert "sign in to the mailbox again" in state.last_error
    assert state.failures == 1 and state.next_poll_at is not None
    assert Inbox.objects.get(pk=inbox.pk).settings["oauth2"]["access_token"] == "ya29.expired"
    assert not Conversation.objects.exists()
    assert dovecot.seen_flags(user=dovecot.oauth_user) == {1: False}


def test_a_refresh_token_the_provider_rotates_replaces_the_stored_one(make_email_inbox, token_endpoint, transactional_db):
    inbox = make_email_inbox(oauth2=oauth2_section(token_endpoint))
    token_endpoint.answer = granting("ya29.new", refresh_token="1//rotated")

    services.oauth2_token_refresh(inbox=inbox)

    stored = Inbox.objects.get(pk=inbox.pk).settings["oauth2"]
    assert (stored["access_token"], stored["refresh_token"]) == ("ya29.new", "1//rotated")


def test_a_microsoft_365_inbox_asks_for_the_imap_and_smtp_scopes(make_email_inbox, token_endpoint, transactional_db):
    inbox = make_email_inbox(oauth2=oauth2_section(token_endpoint, provider="microsoft", client_secret=""))

    services.oauth2_token_refresh(inbox=inbox)

    (request,) = token_endpoint.requests
    assert request["scope"].split() == ["https://outlook.office.com/IMAP.AccessAsUser.All",
                                        "https://outlook.office.com/SMTP.Send", "offline_access"]
    assert "client_secret" not in request


@pytest.fixture
def smtp_oauth2_conversation(make_email_inbox, xoauth2_smtp_sink, token_endpoint, on_commit):
    inbox = make_email_inbox(oauth2=oauth2_section(token_endpoint, access_token="ya29.expired",
                                                   expires_at="2020-01-01T00:00:00+00:00"))
    inbox.config["smtp"] = {"host": "127.0.0.1", "port": xoauth2_smtp_sink.port, "security": "none",
                            "username": "support@example.test", "auth": "oauth2", "timeout": 5}
    inbox.save()
    token_endpoint.answer = granting(xoauth2_smtp_sink.token)
    with on_commit():
        services.email_store(inbox=inbox, raw=mail())
    return Conversation.objects.get()


def test_a_reply_goes_out_over_smtp_authenticated_with_xoauth2_and_the_refreshed_token(
        smtp_oauth2_conversation, xoauth2_smtp_sink, token_endpoint, agent, on_commit):
    with on_commit():
        reply = message_reply(conversation=smtp_oauth2_conversation, author=agent, text="It ships today.")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert xoauth2_smtp_sink.logins == ["support@example.test"]
    assert [rcpt for _, rcpt, _ in xoauth2_smtp_sink.messages] == [["rita@customer.test"]]
    assert len(token_endpoint.requests) == 1


def test_a_reply_fails_with_the_reason_when_the_refresh_token_is_revoked(
        smtp_oauth2_conversation, xoauth2_smtp_sink, token_endpoint, agent, on_commit):
    token_endpoint.answer = REVOKED

    with on_commit():
        reply = message_reply(conversation=smtp_oauth2_conversation, author=agent, text="It ships today.")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "invalid_grant" in reply.failure_reason and "sign in to the mailbox again" in reply.failure_reason
    assert xoauth2_smtp_sink.messages == []


def test_a_token_the_smtp_server_refuses_fails_the_reply_with_the_servers_answer(
        make_email_inbox, xoauth2_smtp_sink, agent, on_commit, transactional_db):
    inbox = make_email_inbox()
    inbox.config["smtp"] = {"host": "127.0.0.1", "port": xoauth2_smtp_sink.port, "security": "none",
                            "username": "support@example.test", "oauth2_token": "ya29.wrong", "timeout": 5}
    inbox.save()
    with on_commit():
        services.email_store(inbox=inbox, raw=mail())

    with on_commit():
        reply = message_reply(conversation=Conversation.objects.get(), author=agent, text="It ships today.")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "535" in reply.failure_reason and "not accepted" in reply.failure_reason
    assert xoauth2_smtp_sink.messages == []
