"""Inboxes, teams and agents: the parts admins and supervisors manage."""
from parley.accounts.models import Team, User
from parley.channels.models import Inbox


def test_creating_an_inbox_shows_its_signing_secret_once_and_never_its_credentials(api_as, admin):
    api = api_as(admin)

    created = api.post("/inboxes", {"name": "Support", "kind": "email", "config": {
        "addresses": ["support@shop.test"], "imap": {"host": "imap.shop.test", "username": "support", "password": "imap-credential-123"}}})

    assert created.status_code == 201, created.json()
    inbox = Inbox.objects.get(pk=created.json()["id"])
    assert created.json()["signing_secret"] == inbox.signing_secret
    shown = api.get(f"/inboxes/{inbox.pk}").json()
    listed = api.get("/inboxes").json()["items"]
    assert "signing_secret" not in shown and inbox.signing_secret not in str(listed)
    assert shown["config"]["imap"] == {"host": "imap.shop.test", "username": "support", "password": "••••"}
    assert shown["secrets"]["imap.password"] is True and shown["secrets"]["smtp.password"] is False
    assert shown["addresses"] == ["email:support@shop.test"]
    assert "imap-credential-123" not in str(created.json()) + str(listed)


def test_an_inbox_with_a_bad_configuration_or_unknown_kind_is_refused(api_as, admin):
    api = api_as(admin)

    bad_url = api.post("/inboxes", {"name": "Shop", "kind": "api", "config": {"callback_url": "ftp://nope"}})
    bad_kind = api.post("/inboxes", {"name": "Pigeon", "kind": "pigeon"})

    assert bad_url.status_code == 422 and "callback_url" in bad_url.json()["extra"]
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["extra"]
    assert not Inbox.objects.exists()


def test_patching_an_inbox_changes_given_config_keys_and_keeps_the_others(api_as, admin, team):
    api = api_as(admin)
    inbox = api.post("/inboxes", {"name": "Support", "kind": "email", "config": {
        "addresses": ["support@shop.test"], "display_name": "Shop", "thread_window_days": 3}}).json()

    body = api.patch(f"/inboxes/{inbox['id']}", {"config": {"display_name": "Shop Support", "thread_window_days": None},
                                                  "default_team_id": team.pk, "is_active": False}).json()

    assert Inbox.objects.get(pk=inbox["id"]).settings == {"addresses": ["support@shop.test"], "display_name": "Shop Support"}
    assert (body["default_team"]["id"], body["is_active"]) == (team.pk, False)


def test_an_inbox_with_conversations_is_kept_one_without_is_deleted(api_as, admin, api_inbox, webform_inbox, customer_message):
    customer_message()
    api = api_as(admin)

    assert api.delete(f"/inboxes/{api_inbox.pk}").status_code == 409
    assert api.delete(f"/inboxes/{webform_inbox.pk}").status_code == 204
    assert list(Inbox.objects.values_list("pk", flat=True)) == [api_inbox.pk]


def test_admins_see_what_arrived_on_an_inbox_including_failures(api_as, admin, api_inbox, on_commit):
    from parley.channels.services import envelope_store

    with on_commit():
        envelope_store(inbox=api_inbox, external_id="broken", payload={"text": "no contact"})

    items = api_as(admin).get(f"/inboxes/{api_inbox.pk}/envelopes", status="failed").json()["items"]

    assert [(e["external_id"], e["status"]) for e in items] == [("broken", "failed")]
    assert "source_id" in items[0]["last_error"]


def test_teams_are_created_renamed_staffed_and_deleted(api_as, make_agent, agent):
    supervisor = make_agent("supervisor")
    api = api_as(supervisor)

    team = api.post("/teams", {"name": "Billing", "member_ids": [agent.pk]}).json()
    renamed = api.patch(f"/teams/{team['id']}", {"name": "Payments"}).json()
    staffed = api.put(f"/teams/{team['id']}/members", {"member_ids": [agent.pk, supervisor.pk]}).json()
    unknown_member = api.put(f"/teams/{team['id']}/members", {"member_ids": [424242]})
    deleted = api.delete(f"/teams/{team['id']}")

    assert [m["id"] for m in team["members"]] == [agent.pk]
    assert renamed["name"] == "Payments"
    assert sorted(m["id"] for m in staffed["members"]) == sorted([agent.pk, supervisor.pk])
    assert unknown_member.status_code == 422 and "member_ids" in unknown_member.json()["extra"]
    assert deleted.status_code == 204 and not Team.objects.exists()


def test_admins_create_agents_and_change_their_role_and_availability(api_as, admin):
    api = api_as(admin)

    created = api.post("/agents", {"email": "New.Person@Example.com", "name": "New Person", "role": "light_agent"})
    changed = api.patch(f"/agents/{created.json()['id']}", {"role": "agent", "availability": "online"})
    duplicate = api.post("/agents", {"email": "new.person@example.com", "name": "Again"})

    assert created.status_code == 201 and created.json()["email"] == "new.person@example.com"
    assert (changed.json()["role"], changed.json()["availability"]) == ("agent", "online")
    assert duplicate.status_code == 422 and duplicate.json()["extra"] == {"email": "taken"}
    assert [a["email"] for a in api.get("/agents", role="agent").json()["items"]] == ["new.person@example.com"]


def test_the_last_admin_cannot_demote_themselves(api_as, admin):
    response = api_as(admin).patch(f"/agents/{admin.pk}", {"role": "agent"})

    assert response.status_code == 422
    assert User.objects.get(pk=admin.pk).role == "admin"


def test_a_spanish_client_is_told_in_spanish_that_the_configuration_is_not_valid(api_as, admin):
    api = api_as(admin)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"

    refused = api.post("/inboxes", {"name": "Shop", "kind": "api", "config": {"callback_url": "ftp://nope"}})
    unknown = api.get("/inboxes", colour="blue")

    assert refused.status_code == 422 and refused.json()["message"] == "La configuración de la bandeja de entrada no es válida."
    assert unknown.status_code == 422
    assert unknown.json() == {"message": "La solicitud no es válida.", "extra": {"colour": "unknown query parameter"}}
