"""Settings → Agents and their availability rules (admins) and Settings → Teams (admins and supervisors)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from parley.accounts import security, selectors, services
from parley.accounts.models import Team, User
from parley.core.errors import ApplicationError
from parley.workspace.settings_forms import AgentForm, AgentInviteForm, AvailabilityRulesForm, TeamForm
from parley.workspace.submit import form_submitted
from parley.workspace.views import allowed

AGENTS_REFUSAL = gettext_lazy("Only admins manage agents.")
TEAMS_REFUSAL = gettext_lazy("Only admins and supervisors manage teams.")


def _agents_page(request, *, form=None, error: str = "", status: int = 200):
    context = {"agents": selectors.agent_list().order_by("-is_active", "name"), "form": form or AgentInviteForm(),
               "error": error, "section": "settings-agents"}
    return render(request, "workspace/settings_agents.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def agent_list(request):
    """List every agent with their role, teams and state; a POST invites a new one by email."""
    allowed(request, "agent.manage", AGENTS_REFUSAL)
    if request.method == "GET":
        return _agents_page(request)
    form = AgentInviteForm(request.POST)
    return form_submitted(
        request, form,
        save=lambda data: services.agent_invite(email=data["email"], name=data["name"], role=data["role"],
                                                team_ids=[t.pk for t in data["teams"]], actor=request.user),
        done=lambda user: gettext("%(name)s was invited; the link to set a password is on its way to %(email)s.") % {
            "name": user.name, "email": user.email},
        refused=lambda error, status: _agents_page(request, form=form, error=error, status=status),
        to=lambda user: reverse("workspace:agents-settings"))


def _agent_page(request, agent: User, *, form=None, error: str = "", status: int = 200):
    form = form or AgentForm(initial={"role": agent.role, "teams": agent.teams.all()})
    context = {"agent": agent, "form": form, "error": error, "invited": selectors.agent_is_invited(agent),
               "two_factor_on": security.two_factor_enabled(agent),
               "two_factor_required": security.security_policy().requires_two_factor(agent), "section": "settings-agents"}
    return render(request, "workspace/settings_agent.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def agent_edit(request, agent_id: int):
    """Show one agent; a POST changes their role and teams together."""
    allowed(request, "agent.manage", AGENTS_REFUSAL)
    agent = get_object_or_404(User, pk=agent_id)
    if request.method == "GET":
        return _agent_page(request, agent)
    form = AgentForm(request.POST)
    return form_submitted(
        request, form,
        save=lambda data: services.agent_update(user=agent, role=data["role"], team_ids=[t.pk for t in data["teams"]],
                                                actor=request.user),
        done=lambda _: gettext("%(name)s was saved.") % {"name": agent.name},
        refused=lambda error, status: _agent_page(request, agent, form=form, error=error, status=status),
        to=lambda _: reverse("workspace:agent-settings", args=[agent.pk]))


#: The buttons on an agent's page: the service each calls and what the admin is told afterwards.
AGENT_ACTIONS = {
    "deactivate": (services.agent_deactivate, gettext_lazy("%(name)s was deactivated; their conversations and history stay.")),
    "reactivate": (services.agent_reactivate, gettext_lazy("%(name)s can sign in again.")),
    "resend-invite": (services.agent_invite_resend, gettext_lazy("The invitation was sent to %(email)s again.")),
    "sign-out": (security.sessions_end_everywhere, gettext_lazy("%(name)s was signed out of every session.")),
    "reset-two-factor": (security.two_factor_disable, gettext_lazy("%(name)s's two-factor sign-in was reset.")),
}


@login_required
@require_POST
def agent_action(request, agent_id: int, action: str):
    """Deactivate, reactivate, resend the invitation of, sign out or reset the two-factor of one agent."""
    allowed(request, "agent.manage", AGENTS_REFUSAL)
    agent = get_object_or_404(User, pk=agent_id)
    if action not in AGENT_ACTIONS:
        return _agent_page(request, agent, error=gettext("There is no action “%(action)s”.") % {"action": action}, status=404)
    service, done = AGENT_ACTIONS[action]
    try:
        service(user=agent, actor=request.user)
    except ApplicationError as exc:
        return _agent_page(request, agent, error=exc.message, status=exc.status)
    messages.success(request, str(done) % {"name": agent.name, "email": agent.email})
    return redirect("workspace:agent-settings", agent.pk)


def _teams_page(request, *, form=None, error: str = "", status: int = 200):
    teams = Team.objects.annotate(member_count=Count("members")).order_by("name")
    return render(request, "workspace/settings_teams.html",
                  {"teams": teams, "form": form or TeamForm(), "error": error, "section": "settings-teams"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request):
    """List the teams; a POST creates one."""
    allowed(request, "team.manage", TEAMS_REFUSAL)
    if request.method == "GET":
        return _teams_page(request)
    form = TeamForm(request.POST)
    return form_submitted(
        request, form,
        save=lambda data: services.team_create(name=data["name"], description=data["description"],
                                               member_ids=[m.pk for m in data["members"]], actor=request.user),
        done=lambda team: gettext("The team “%(name)s” was created.") % {"name": team.name},
        refused=lambda error, status: _teams_page(request, form=form, error=error, status=status),
        to=lambda _: reverse("workspace:teams-settings"))


def _team_page(request, team: Team, *, form=None, error: str = "", status: int = 200):
    form = form or TeamForm(initial={"name": team.name, "description": team.description, "members": team.members.all()})
    return render(request, "workspace/settings_team.html",
                  {"team": team, "form": form, "error": error, "section": "settings-teams"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, team_id: int):
    """Show one team; a POST saves its name, description and members."""
    allowed(request, "team.manage", TEAMS_REFUSAL)
    team = get_object_or_404(Team, pk=team_id)
    if request.method == "GET":
        return _team_page(request, team)
    form = TeamForm(request.POST)
    return form_submitted(
        request, form,
        save=lambda data: services.team_update(team=team, actor=request.user, name=data["name"],
                                               description=data["description"], member_ids=[m.pk for m in data["members"]]),
        done=lambda saved: gettext("The team “%(name)s” was saved.") % {"name": saved.name},
        refused=lambda error, status: _team_page(request, team, form=form, error=error, status=status),
        to=lambda saved: reverse("workspace:team-settings", args=[saved.pk]))


@login_required
@require_POST
def team_delete(request, team_id: int):
    """Delete a team (confirmed in the page first); its conversations stay, without a team."""
    allowed(request, "team.manage", TEAMS_REFUSAL)
    team = get_object_or_404(Team, pk=team_id)
    services.team_delete(team=team, actor=request.user)
    messages.success(request, gettext("The team “%(name)s” was deleted; its conversations stay, without a team.")
                     % {"name": team.name})
    return redirect("workspace:teams-settings")


def _availability_page(request, form, *, error: str = "", status: int = 200):
    return render(request, "workspace/settings_availability.html",
                  {"form": form, "error": error, "section": "settings-agents"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def availability_settings(request):
    """Show when agents become away or offline on their own; a POST changes it."""
    allowed(request, "agent.manage", AGENTS_REFUSAL)
    if request.method == "GET":
        rules = services.availability_rules()
        return _availability_page(request, AvailabilityRulesForm(initial={
            "away_after_minutes": rules.away_after_minutes, "offline_when_tabs_closed": rules.offline_when_tabs_closed}))
    form = AvailabilityRulesForm(request.POST)
    return form_submitted(
        request, form,
        save=lambda data: services.availability_rules_update(actor=request.user, **data),
        done=lambda _: gettext("The availability rules were saved."),
        refused=lambda error, status: _availability_page(request, form, error=error, status=status),
        to=lambda _: reverse("workspace:availability-settings"))
