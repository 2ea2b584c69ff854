"""Carry out a rule's or a macro's actions through the conversation services, as the actor given.

Every action calls the service an agent's click would call, so permissions (for people), the
timeline ("rule 'VIP' set the priority …"), the audit log and the events are the same. Names in
a definition (an agent's email, a team, a canned response, a webhook) are looked up here.
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from parley.accounts.models import Role, Team, User
from parley.automation import definitions as d
from parley.automation import variables
from parley.automation.models import CannedResponse, Webhook
from parley.conversations import services as conversation_services
from parley.conversations.models import Conversation
from parley.conversations.services.common import event_message
from parley.core import actors
from parley.core.errors import ApplicationError, ValidationFailed
from parley.desk.services import notify_for_rule


def _agent(email: str) -> User:
    agent = User.objects.filter(email__iexact=email, is_active=True).first()
    if agent is None:
        raise ValidationFailed(gettext("No active agent has the email %(email)s.") % {"email": email}, extra={"agent": "unknown"})
    return agent


def _team(name: str) -> Team:
    team = Team.objects.filter(name__iexact=name).first()
    if team is None:
        raise ValidationFailed(gettext("No team is called %(name)s.") % {"name": name}, extra={"team": "unknown"})
    return team


def _canned(shortcut: str) -> CannedResponse:
    canned = CannedResponse.objects.filter(shortcut=shortcut).first()
    if canned is None:
        raise ValidationFailed(gettext("No canned response has the shortcut /%(shortcut)s.") % {"shortcut": shortcut},
                               extra={"canned": "unknown"})
    return canned


def _webhook(name: str) -> Webhook:
    webhook = Webhook.objects.filter(name=name).first()
    if webhook is None:
        raise ValidationFailed(gettext("No webhook is called %(name)s.") % {"name": name}, extra={"webhook": "unknown"})
    return webhook


def _notified(conversation: Conversation, who: list[str]) -> list[User]:
    found: dict[int, User] = {}
    for entry in who:
        if entry == "assignee":
            agents = [conversation.assignee] if conversation.assignee_id else []
        elif entry == "team":
            agents = list(conversation.team.members.filter(is_active=True)) if conversation.team_id else []
        elif entry == "admins":
            agents = list(User.objects.filter(role=Role.ADMIN, is_active=True))
        else:
            agents = [_agent(entry)]
        found.update((a.pk, a) for a in agents)
    return list(found.values())


def references_check(actions: list) -> dict[str, str]:
    """Return {place: problem} for every name in `actions` that points at nothing (checked when saving)."""
    problems = {}
    for index, action in enumerate(actions):
        try:
            if isinstance(action, d.Assign) and action.agent:
                _agent(action.agent)
            elif isinstance(action, d.SetTeam) and action.team:
                _team(action.team)
            elif isinstance(action, d.Reply) and action.canned:
                _canned(action.canned)
            elif isinstance(action, (d.Reply, d.Note)) and variables.unknown_variables(action.text):
                raise ValidationFailed(gettext("Unknown variables: %(variables)s.")
                                       % {"variables": ", ".join(variables.unknown_variables(action.text))})
            elif isinstance(action, d.Notify):
                for entry in action.agents:
                    if entry not in ("assignee", "team", "admins"):
                        _agent(entry)
            elif isinstance(action, d.CallWebhook):
                _webhook(action.webhook)
        except ValidationFailed as exc:
            problems[f"actions.{index}"] = exc.message
    return problems


def describe(action) -> str:
    """Say what an action does, for the preview and the settings list."""
    fields = action.model_dump(exclude={"type"}, exclude_none=True)
    detail = ", ".join(f"{k}={v!r}" for k, v in fields.items())
    return f"{action.type.replace('_', ' ')}" + (f" ({detail})" if detail else "")


def perform(action, *, conversation: Conversation, actor, trigger: dict | None = None) -> None:
    """Carry out one action on `conversation` as `actor`; a refusal raises ApplicationError."""
    match action:
        case d.Assign(agent=email):
            assignee = _agent(email) if email else None
            team = conversation.team
            if assignee is not None and team is not None and not team.members.filter(pk=assignee.pk).exists():
                team = None
            conversation_services.conversation_assign(conversation=conversation, actor=actor, assignee=assignee, team=team)
        case d.SetTeam(team=name):
            team = _team(name) if name else None
            assignee = conversation.assignee
            if assignee is not None and team is not None and not team.members.filter(pk=assignee.pk).exists():
                assignee = None
            conversation_services.conversation_assign(conversation=conversation, actor=actor, assignee=assignee, team=team)
        case d.SetPriority(priority=priority):
            conversation_services.conversation_update(conversation=conversation, actor=actor, priority=priority)
        case d.SetStatus(status=status):
            conversation_services.conversation_set_status(conversation=conversation, actor=actor, status=status)
        case d.SetTier(tier=tier):
            while conversation.tier < tier:
                conversation_services.conversation_escalate(conversation=conversation, actor=actor)
        case d.Escalate(reason=reason):
            conversation_services.conversation_escalate(conversation=conversation, actor=actor, reason=reason)
        case d.AddTags(tags=tags) | d.RemoveTags(tags=tags):
            current = set(conversation.tags.values_list("name", flat=True))
            wanted = {t.strip().lower() for t in tags}
            current = current | wanted if isinstance(action, d.AddTags) else current - wanted
            conversation_services.conversation_set_tags(conversation=conversation, actor=actor, tags=sorted(current))
        case d.SetCustomField(key=key, value=value):
            conversation_services.conversation_update(conversation=conversation, actor=actor, custom_fields={key: value})
        case d.Reply(canned=shortcut, text=text):
            source = _canned(shortcut).text if shortcut else text
            if actors.is_person(actor):
                conversation_services.message_reply(conversation=conversation, author=actor,
                                                    text=variables.render(source, conversation=conversation, agent=actor))
            else:
                # A rule's reply is automatic (mail says Auto-Submitted): it is not the team's response, so the
                # first-response time and "answered" stay as they were.
                conversation_services.message_auto_reply(
                    conversation=conversation, actor=actor, reason=f"rule: {actor.name}",
                    text=variables.render(source, conversation=conversation, agent=conversation.assignee))
        case d.Note(text=text):
            conversation_services.message_note(conversation=conversation, author=actor,
                                               text=variables.render(text, conversation=conversation, agent=conversation.assignee))
        case d.Notify(agents=who, text=text):
            for agent in _notified(conversation, who):
                notify_for_rule(agent=agent, conversation=conversation, text=f"{actor} on #{conversation.pk}: {text}"[:300])
        case d.CallWebhook(webhook=name):
            from parley.automation.services.webhooks import delivery_queue_for_rule

            delivery_queue_for_rule(webhook=_webhook(name), conversation=conversation, actor=actor, trigger=trigger or {})
        case _:
            raise ValidationFailed(gettext("Unknown action %(action)r.") % {"action": action})


def perform_all(actions: list, *, conversation: Conversation, actor, trigger: dict | None = None,
                keep_going: bool) -> list[str]:
    """Carry out `actions` in order; return the refusals.

    With `keep_going` (rules), a refused action is undone alone and noted on the timeline where
    agents look, and the next one still runs. Without it (a macro an agent clicks), the first
    refusal undoes them all and is raised for the agent to see.
    """
    refusals = []
    for action in actions:
        conversation.refresh_from_db()
        if not keep_going:
            perform(action, conversation=conversation, actor=actor, trigger=trigger)
            continue
        try:
            with transaction.atomic():
                perform(action, conversation=conversation, actor=actor, trigger=trigger)
        except ApplicationError as exc:
            refusals.append(exc.message)
            event_message(conversation, f"{actor} could not {describe(action)}: {exc.message}", actor=actor,
                          data={"automation_refused": action.type})
    return refusals
