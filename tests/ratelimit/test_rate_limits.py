"""Guessing and flooding are slowed down: 429 with Retry-After once a limit is used up, counted across processes."""
import hashlib
import hmac
import re
import time
import uuid

import httpx
import pytest

from parley.accounts.services import api_token_create


def sign_in(client, email, password, **extra):
    return client.post("/login/", {"username": email, "password": password}, **extra)


def test_after_the_failed_sign_ins_an_account_allows_even_the_right_password_is_refused_with_429(client, agent, settings):
    settings.PARLEY_RATE_SIGNIN_ACCOUNT = "3/15m"
    agent.set_password("right-password")
    agent.save()

    failures = [sign_in(client, agent.email, f"guess-{n}").status_code for n in range(3)]
    refused = sign_in(client, agent.email, "right-password")

    assert failures == [200, 200, 200]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    assert "Too many failed sign-ins for this account" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert sign_in(client.__class__(), "someone-else@example.test", "x").status_code == 200


def test_one_address_guessing_many_accounts_is_refused_with_429(client, make_agent, settings):
    settings.PARLEY_RATE_SIGNIN_IP = "4/15m"

    answers = [sign_in(client, f"user{n}@example.test", "guess").status_code for n in range(5)]

    assert answers == [200, 200, 200, 200, 429]
    other_address = sign_in(client, "user9@example.test", "guess", REMOTE_ADDR="198.51.100.7")
    assert other_address.status_code == 200


def test_wrong_api_tokens_from_one_address_get_a_json_429_with_retry_after(bearer, agent, settings):
    settings.PARLEY_RATE_API_TOKEN = "5/1m"
    secret = api_token_create(user=agent, name="real")[1]

    answers = [bearer(f"prl_wrong{n}").get("/conversations").status_code for n in range(5)]
    refused = bearer("prl_wrong-again").get("/conversations")
    right_token = bearer(secret).get("/conversations")

    assert answers == [401] * 5
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["message"].startswith("Too many requests with a wrong API token")
    assert refused.json()["extra"]["limit"] == "5 per 60 s"
    assert right_token.status_code == 429  # the address is blocked for the window, whatever it sends


def test_forged_webhook_signatures_are_refused_with_429_after_the_limit(client, settings, db):
    settings.PARLEY_RATE_WEBHOOK = "3/1m"
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": "key-real"}
    timestamp, token = str(int(time.time())), "t" * 50
    forged = hmac.new(b"key-guess", f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    form = {"timestamp": timestamp, "token": token, "signature": forged, "body-mime": "From: a@b.test\n\nhi"}

    answers = [client.post("/channels/email/inbound/mailgun_mime/", form) for _ in range(4)]

    assert [a.status_code for a in answers] == [403, 403, 403, 429]
    assert answers[-1]["Content-Type"] == "application/json" and int(answers[-1]["Retry-After"]) > 0
    assert "wrong signature" in answers[-1].json()["message"]


def test_the_contact_form_takes_a_few_messages_per_address_then_answers_429(client, webform_inbox, settings):
    settings.PARLEY_RATE_CONTACT_FORM = "2/10m"

    def post():
        return client.post("/portal/contact/", {"name": "Rita", "email": "rita@example.test", "subject": "Hi",
                                                "message": "Hello there", "submission_id": str(uuid.uuid4()), "website": ""})

    answers = [post() for _ in range(3)]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "Too many messages from your address" in answers[-1].content.decode()
    assert webform_inbox.envelopes.count() == 2


def test_sign_in_links_for_one_email_are_limited_even_from_many_addresses(client, settings, db):
    settings.PARLEY_RATE_LOGIN_LINK = "2/15m"

    answers = [client.post("/portal/login/", {"email": "rita@example.test"}, REMOTE_ADDR=f"203.0.113.{n}")
               for n in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Too many sign-in links requested" in answers[-1].content.decode()


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_failed_sign_ins_count_across_server_processes(parley_server_factory, agent):
    env = {"PARLEY_RATE_SIGNIN_ACCOUNT": "3/15m"}
    with parley_server_factory(env) as first, parley_server_factory(env) as second:
        def attempt(base):
            with httpx.Client(base_url=base) as browser:
                browser.get("/login/")
                return browser.post("/login/", data={"username": agent.email, "password": "guess",
                                                     "csrfmiddlewaretoken": browser.cookies["csrftoken"]}).status_code

        answers = [attempt(first), attempt(second), attempt(first), attempt(second)]

    assert answers == [200, 200, 200, 429]


def test_counters_of_ended_windows_are_pruned_and_current_ones_kept(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    from parley.ratelimit.models import RateCounter
    from parley.ratelimit.services import Rate, rate_counters_prune, rate_limit_hit

    settings.REDIS_URL = ""  # the database store, which needs the pruning (Redis expires keys itself)
    rate_limit_hit(scope="signin-ip", subject="203.0.113.9", rate=Rate(5, 60))
    RateCounter.objects.create(key="signin-ip:old", window=0, hits=3, expires_at=timezone.now() - timedelta(hours=2))

    pruned = rate_counters_prune()

    assert pruned == 1
    assert list(RateCounter.objects.values_list("hits", flat=True)) == [1]


@pytest.mark.parametrize("text, count, seconds", [("10/15m", 10, 900), ("60/60", 60, 60), ("1000 / 1d", 1000, 86400)])
def test_rates_are_read_as_count_per_period(text, count, seconds):
    from parley.ratelimit.services import Rate

    assert Rate.parse(text) == Rate(count, seconds)


@pytest.mark.parametrize("text", ["ten/15m", "10/0", "10/15w", ""])
def test_a_rate_that_cannot_be_read_names_itself(text):
    from parley.ratelimit.services import Rate

    with pytest.raises(ValueError, match="is not a rate like"):
        Rate.parse(text)


def test_the_refusal_is_in_the_language_the_browser_asks_for(client, agent, settings):
    settings.PARLEY_RATE_SIGNIN_ACCOUNT = "1/15m"
    settings.PARLEY_RATE_LOGIN_LINK = "1/15m"
    sign_in(client, agent.email, "guess")

    german = sign_in(client, agent.email, "guess", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    spanish = [client.post("/portal/login/", {"email": "rita@example.test"}, HTTP_ACCEPT_LANGUAGE="es") for _ in range(2)][-1]

    assert re.search(r"Zu viele fehlgeschlagene Anmeldungen für dieses Konto\. Versuchen Sie es in \d+ Sekunden erneut\.", german)
    assert spanish.status_code == 429
    assert re.search(r"Se superó el límite de enlaces de acceso solicitados\. Vuelva a intentarlo en \d+ segundos\.",
                     spanish.content.decode())
