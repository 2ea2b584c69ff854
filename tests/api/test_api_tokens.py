from parley.accounts.models import ApiToken


def test_given_a_new_token_when_created_then_its_secret_is_shown_once_and_it_authenticates(api_as, bearer, agent):
    api = api_as(agent)

    created = api.post("/tokens", {"name": "CRM sync"})

    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("prl_")
    listed = api.get("/tokens").json()["items"]
    assert "CRM sync" in [t["name"] for t in listed]
    assert all("secret" not in t for t in listed)
    assert secret not in str(listed)
    assert bearer(secret).get("/tokens").status_code == 200


def test_given_a_revoked_token_when_used_then_it_is_refused(api_as, bearer, agent):
    secret = api_as(agent).post("/tokens", {"name": "old"}).json()
    own = bearer(secret["secret"])

    revoked = own.delete(f"/tokens/{secret['id']}")

    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = own.get("/tokens")
    assert refused.status_code == 401
    assert "token" in refused.json()["message"]


def test_an_agent_cannot_see_or_revoke_another_agents_token(api_as, agent, admin):
    theirs = api_as(admin).post("/tokens", {"name": "admin's"}).json()

    response = api_as(agent).delete(f"/tokens/{theirs['id']}")

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=theirs["id"]).revoked_at is None
    assert theirs["id"] not in [t["id"] for t in api_as(agent).get("/tokens").json()["items"]]


def test_without_a_valid_token_every_endpoint_answers_401(bearer):
    assert bearer(None).get("/conversations").status_code == 401
    wrong = bearer("prl_deadbeef_not-a-real-secret").get("/conversations")
    assert wrong.status_code == 401
    assert wrong.json()["message"]
