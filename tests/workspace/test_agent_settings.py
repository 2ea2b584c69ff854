"""Settings → Agents and Teams with the Django test client: invitations, deactivation, password reset, teams."""
import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.utils import timezone

from parley.accounts.models import Role, Team, User
from parley.accounts.services import agent_invite, invitation_tokens
from parley.conversations.models import Conversation, Status
from parley.core.models import AuditEntry

# Invitation and reset mail go out from jobs once the request's transaction commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _link_path(message, prefix: str) -> str:
    return re.search(rf"https?://[^/\s]+(/{prefix}/[\w-]+/[\w-]+/)", message.body).group(1)


def _set_password(client, path: str, password: str):
    """Open an emailed link and choose a password, as the browser would (the link redirects once)."""
    form = client.get(path, follow=True)
    return form, client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True)


def test_an_admin_invites_an_agent_who_sets_a_password_through_the_link_once(client, admin, team):
    client.force_login(admin)
    response = client.post("/settings/agents/", {"name": "Nia Novak", "email": "Nia@Example.test", "role": "supervisor",
                                                 "teams": [team.pk]}, follow=True)

    assert "Nia Novak was invited" in response.content.decode()
    invitee = User.objects.get(email="nia@example.test")
    assert invitee.role == Role.SUPERVISOR and list(invitee.teams.all()) == [team]
    assert authenticate(username="nia@example.test", password="") is None
    (sent,) = mail.outbox
    assert sent.to == ["nia@example.test"] and "invited" in sent.subject
    path = _link_path(sent, "invitation")

    client.logout()
    form, done = _set_password(client, path, "a-long-new-secret-7")

    assert "nia@example.test" in form.content.decode()
    assert "Your password is set" in done.content.decode()
    assert authenticate(username="nia@example.test", password="a-long-new-secret-7") == invitee
    again = client.get(path, follow=True)
    assert "expired or was already used" in again.content.decode()


def test_a_weak_password_is_refused_with_the_reason_and_the_link_still_works(client, admin):
    invitee = agent_invite(email="nia@example.test", name="Nia", role="agent", actor=admin)
    path = _link_path(mail.outbox[0], "invitation")

    _, refused = _set_password(client, path, "123")

    assert "too short" in refused.content.decode()
    assert not User.objects.get(pk=invitee.pk).has_usable_password()
    _, accepted = _set_password(client, path, "a-long-new-secret-7")
    assert "Your password is set" in accepted.content.decode()


def test_an_invitation_expires_after_a_week_and_resending_gives_a_fresh_link(client, admin, monkeypatch):
    invitee = agent_invite(email="nia@example.test", name="Nia", role="agent", actor=admin)
    old_path = _link_path(mail.outbox[0], "invitation")
    eight_days_later = timezone.now().replace(tzinfo=None) + timedelta(days=8)
    monkeypatch.setattr(type(invitation_tokens), "_now", lambda self: eight_days_later)

    assert "expired or was already used" in client.get(old_path, follow=True).content.decode()

    client.force_login(admin)
    resent = client.post(f"/settings/agents/{invitee.pk}/resend-invite/", follow=True)
    assert "sent to nia@example.test again" in resent.content.decode()
    client.logout()
    new_path = _link_path(mail.outbox[1], "invitation")
    assert new_path != old_path
    _, done = _set_password(client, new_path, "a-long-new-secret-7")
    assert "Your password is set" in done.content.decode()


def test_a_password_reset_link_is_no_invitation_and_an_invitation_is_no_reset_link(client, admin):
    agent_invite(email="nia@example.test", name="Nia", role="agent", actor=admin)
    invitation = _link_path(mail.outbox[0], "invitation")

    as_reset = client.get(invitation.replace("/invitation/", "/password/reset/"), follow=True)

    assert "expired or was already used" in as_reset.content.decode()


def test_inviting_an_email_that_is_taken_says_so_and_sends_nothing(client, admin, agent):
    client.force_login(admin)

    response = client.post("/settings/agents/", {"name": "Twin", "email": agent.email, "role": "agent"})

    assert response.status_code == 422
    assert "An agent with this email exists." in response.content.decode()
    assert not mail.outbox


def test_a_deactivated_agent_cannot_sign_in_keeps_their_history_and_can_come_back(client, admin, agent, receive, api_inbox):
    conversation = receive(api_inbox, "Where is my parcel?").conversation
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent, status=Status.OPEN)
    client.force_login(admin)

    response = client.post(f"/settings/agents/{agent.pk}/deactivate/", follow=True)

    assert "was deactivated" in response.content.decode()
    assert authenticate(username=agent.email, password="pw-secret-1") is None
    assert User.objects.filter(pk=agent.pk).exists()
    assert Conversation.objects.get(pk=conversation.pk).assignee is None
    assert AuditEntry.objects.filter(action="agent.deactivated", target_id=str(agent.pk)).exists()
    listing = client.get("/settings/agents/").content.decode()
    assert re.search(rf"{agent.name}</a>.*?deactivated", listing, re.S)

    client.post(f"/settings/agents/{agent.pk}/reactivate/")
    assert authenticate(username=agent.email, password="pw-secret-1") == agent


def test_an_admin_cannot_deactivate_themselves_or_the_last_admin(client, admin, make_agent):
    client.force_login(admin)

    response = client.post(f"/settings/agents/{admin.pk}/deactivate/")

    assert response.status_code == 422 and "You cannot deactivate yourself." in response.content.decode()
    demoted = client.post(f"/settings/agents/{admin.pk}/", {"role": "agent"})
    assert demoted.status_code == 422 and "The last admin cannot give up the admin role." in demoted.content.decode()
    assert User.objects.get(pk=admin.pk).is_active and User.objects.get(pk=admin.pk).role == Role.ADMIN


def test_an_admin_changes_an_agents_role_and_teams_in_one_save(client, admin, agent, team):
    billing = Team.objects.create(name="Billing")
    client.force_login(admin)

    client.post(f"/settings/agents/{agent.pk}/", {"role": "supervisor", "teams": [billing.pk]})

    agent.refresh_from_db()
    assert agent.role == Role.SUPERVISOR and list(agent.teams.all()) == [billing]


def test_a_password_reset_mails_a_link_to_an_agent_and_answers_the_same_for_an_unknown_address(client, agent):
    known = client.post("/password/reset/", {"email": agent.email.upper()})
    unknown = client.post("/password/reset/", {"email": "nobody@example.test"})

    assert known.status_code == unknown.status_code == 200
    assert (known.content.decode().replace(agent.email.upper(), "X") ==
            unknown.content.decode().replace("nobody@example.test", "X"))
    (sent,) = mail.outbox
    assert sent.to == [agent.email]
    _, done = _set_password(client, _link_path(sent, "password/reset"), "a-brand-new-secret-9")
    assert "Your password was changed" in done.content.decode()
    assert authenticate(username=agent.email, password="a-brand-new-secret-9") == agent
    assert authenticate(username=agent.email, password="pw-secret-1") is None


def test_a_deactivated_agent_gets_no_reset_mail(client, admin, agent):
    User.objects.filter(pk=agent.pk).update(is_active=False)

    client.post("/password/reset/", {"email": agent.email})

    assert not mail.outbox


def test_a_reset_form_without_an_address_says_what_is_wrong(client, db):
    response = client.post("/password/reset/", {"email": "rita"})

    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()


def test_a_supervisor_creates_a_team_with_members_renames_it_and_deletes_it(client, make_agent, agent):
    supervisor = make_agent(Role.SUPERVISOR)
    client.force_login(supervisor)

    client.post("/settings/teams/", {"name": " Billing ", "description": "Invoices", "members": [agent.pk]})
    team = Team.objects.get(name="Billing")
    assert list(team.members.all()) == [agent]
    duplicate = client.post("/settings/teams/", {"name": "billing"})
    assert duplicate.status_code == 422 and "A team with this name exists." in duplicate.content.decode()

    client.post(f"/settings/teams/{team.pk}/", {"name": "Payments", "description": "", "members": []})
    team.refresh_from_db()
    assert team.name == "Payments" and not team.members.exists()
    client.post(f"/settings/teams/{team.pk}/delete/")
    assert not Team.objects.exists()
