"""The Django admin: open to admins, showing failed inbound envelopes and retrying them."""
from django.urls import reverse

from parley.channels.models import EnvelopeStatus
from parley.channels.services import envelope_store


def test_an_admin_sees_a_failed_envelope_and_retries_it_after_the_fix(client, admin, api_inbox, on_commit):
    with on_commit():
        envelope, _ = envelope_store(inbox=api_inbox, external_id="bad-1", payload={"contact": {}, "text": "Hi"})
    envelope.refresh_from_db()
    client.force_login(admin)

    changelist = client.get(reverse("admin:inboxes_inboundenvelope_changelist"), {"status__exact": "failed"}).content.decode()
    envelope.payload = {"contact": {"source_id": "c-1"}, "text": "Hi"}
    envelope.save()
    with on_commit():
        response = client.post(reverse("admin:inboxes_inboundenvelope_changelist"),
                               {"action": "retry", "_selected_action": [envelope.pk]}, follow=True)

    assert envelope.status == EnvelopeStatus.FAILED
    assert "bad-1" in changelist and "contact.source_id is required" in changelist
    assert "Queued 1 envelope(s) again." in response.content.decode()
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED and envelope.message.text == "Hi"


def test_only_admins_reach_the_admin(client, agent, admin):
    client.force_login(agent)
    refused = client.get(reverse("admin:index"))
    client.force_login(admin)
    allowed = client.get(reverse("admin:index"))

    assert refused.status_code == 302
    assert allowed.status_code == 200 and "Inbound envelopes" in allowed.content.decode()


def test_teams_and_agents_are_read_only_in_the_admin_because_settings_manage_them(client, admin, team):
    client.force_login(admin)

    change = client.post(reverse("admin:accounts_team_change", args=[team.pk]), {"name": "Renamed", "description": ""})
    add = client.get(reverse("admin:accounts_team_add"))
    agent_change = client.post(reverse("admin:accounts_user_change", args=[admin.pk]), {"role": "agent"})

    assert change.status_code == 403 and add.status_code == 403 and agent_change.status_code == 403
    team.refresh_from_db()
    admin.refresh_from_db()
    assert team.name == "Support" and admin.role == "admin"


def test_tags_and_statuses_are_read_only_in_the_admin_because_settings_manage_them(client, admin):
    from parley.conversations.models import CustomStatus, Tag

    tag = Tag.objects.create(name="vip")
    client.force_login(admin)

    refused = client.post(reverse("admin:conversations_tag_change", args=[tag.pk]), {"name": "renamed"})
    status_add = client.get(reverse("admin:conversations_customstatus_add"))

    assert refused.status_code == 403 and status_add.status_code == 403
    assert Tag.objects.get(pk=tag.pk).name == "vip" and not CustomStatus.objects.exists()
