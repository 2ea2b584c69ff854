from datetime import timedelta

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

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api_token_authenticate(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_a_revoked_or_tampered_token_authenticates_nobody(agent):
    token, secret = api_token_create(user=agent, name="shop")

    assert api_token_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    api_token_revoke(token=token, actor=agent)
    assert api_token_authenticate(secret) is None
