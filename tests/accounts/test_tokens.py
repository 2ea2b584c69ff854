from datetime import timedelta
from unittest import mock

from parley.accounts.models import ApiToken
from parley.accounts.services import api_token_authenticate, api_token_create, api_token_revoke


def test_a_token_authenticates_its_agent_and_records_when_it_was_used(agent):
    token, secret = api_token_create(user=agent, name="shop")

    assert api_token_authenticate(secret) == agent
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_use_is_recorded_at_most_once_a_minute(agent):
    token, secret = api_token_create(user=agent, name="shop")
    api_token_authenticate(secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at

    api_token_authenticate(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    later = first + timedelta(minutes=2)
    with mock.patch("parley.accounts.services.timezone.now", return_value=later):
        api_token_authenticate(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later


def test_a_revoked_or_tampered_token_authenticates_nobody(agent):
    token, secret = api_token_create(user=agent, name="shop")

    assert api_token_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    api_token_revoke(token=token, actor=agent)
    assert api_token_authenticate(secret) is None


def test_a_token_stops_working_at_once_when_revoked_or_its_agent_is_deactivated_though_it_was_just_used(make_agent):
    for change in ("revoke", "deactivate"):
        agent = make_agent(email=f"{change}@example.com")
        token, secret = api_token_create(user=agent, name="shop")
        assert api_token_authenticate(secret) == agent  # now remembered by the cache

        if change == "revoke":
            api_token_revoke(token=token, actor=agent)
        else:
            agent.is_active = False
            agent.save()

        assert api_token_authenticate(secret) is None, change


def test_the_cached_agent_carries_no_password_hash_and_saving_it_keeps_the_password(make_agent):
    agent = make_agent(email="pw@example.com")
    _, secret = api_token_create(user=agent, name="shop")
    api_token_authenticate(secret)

    cached = api_token_authenticate(secret)
    assert "password" in cached.get_deferred_fields()
    cached.name = "Renamed over the API"
    cached.save()

    agent.refresh_from_db()
    assert agent.name == "Renamed over the API" and agent.check_password("pw-secret-1")
