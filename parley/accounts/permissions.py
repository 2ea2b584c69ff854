"""What each role may do: the one table every view, API handler and service asks."""
from parley.accounts.models import Role

#: action -> roles allowed. Light agents may read and add internal notes only.
ACTIONS: dict[str, set[str]] = {
    "conversation.view": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT},
    "conversation.note": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT},
    "conversation.reply": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT},
    "conversation.update": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT},
    "conversation.assign": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT},
    "conversation.merge": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT},
    "conversation.delete": {Role.ADMIN},
    "contact.view": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT},
    "contact.edit": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT},
    "contact.merge": {Role.ADMIN, Role.SUPERVISOR},
    "contact.delete": {Role.ADMIN},
    "contact.export": {Role.ADMIN, Role.SUPERVISOR},
    "contact.erase": {Role.ADMIN},
    "inbox.manage": {Role.ADMIN},
    "team.manage": {Role.ADMIN, Role.SUPERVISOR},
    "agent.manage": {Role.ADMIN},
    "tag.manage": {Role.ADMIN, Role.SUPERVISOR},
    "envelope.view": {Role.ADMIN},
    "job.manage": {Role.ADMIN},
    "inbound.post": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT},
    "automation.manage": {Role.ADMIN, Role.SUPERVISOR},
    "webhook.manage": {Role.ADMIN},
    "routing.manage": {Role.ADMIN, Role.SUPERVISOR},
    "sla.manage": {Role.ADMIN, Role.SUPERVISOR},
    "survey.manage": {Role.ADMIN, Role.SUPERVISOR},
    "report.view": {Role.ADMIN, Role.SUPERVISOR},
    "knowledge.edit": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT},
    "bot.manage": {Role.ADMIN, Role.SUPERVISOR},
    "community.moderate": {Role.ADMIN, Role.SUPERVISOR, Role.AGENT},
    "security.manage": {Role.ADMIN},
    "audit.view": {Role.ADMIN},
}


def can(user, action: str) -> bool:
    """Return whether `user` may do `action` (unknown actions are refused)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in ACTIONS.get(action, set())


def require(user, action: str) -> None:
    """Raise PermissionDenied unless `user` may do `action`.

    Only people are checked: the system, the bot, a rule or an integration (core.actors.Actor)
    act as an admin configured them to.
    """
    from parley.core.actors import Actor
    from parley.core.errors import PermissionDenied
    from parley.core.i18n import gettext  # a bulk action stores the refusal for a reader of another language

    if isinstance(user, Actor):
        return
    if not can(user, action):
        raise PermissionDenied(gettext("Your role may not do %(action)s.") % {"action": action}, extra={"action": action})
