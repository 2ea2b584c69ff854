import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext, gettext_noop

from parley.accounts.models import ApiToken, Availability, AvailabilityRules, Role, Team, User
from parley.accounts.permissions import require
from parley.accounts.selectors import agent_is_invited
from parley.company.selectors import company
from parley.core import actors, events, jobs
from parley.core.errors import ValidationFailed
from parley.core.i18n import in_language_of
from parley.core.services import audit_record

TOKEN_PREFIX = "prl_"
TOKEN_USE_RECORD_INTERVAL = timedelta(minutes=1)
#: How long a process may answer for a token from the cache. Every save of the token or its agent
#: clears the entry (accounts/apps.py), so this only bounds how stale a process's own copy can get
#: when the cache is per process (the embedded default) and another process made the change.
TOKEN_CACHE_SECONDS = 30


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def agent_create(*, email: str, name: str, password: str | None = None, role: str = Role.AGENT, actor=None) -> User:
    """Create an agent; the email is the login."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationFailed(gettext("Unknown role."), extra={"role": f"must be one of {', '.join(Role.values)}"})
    if not email or "@" not in email:
        raise ValidationFailed(gettext("A valid email is required."), extra={"email": "invalid"})
    if User.objects.filter(email=email).exists():
        raise ValidationFailed(gettext("An agent with this email exists."), extra={"email": "taken"})
    user = User.objects.create_user(email, password, name=name or email.split("@")[0], role=role)
    audit_record(actor=actor, action="agent.created", target=user, changes={"role": role})
    return user


@transaction.atomic
def agent_set_availability(*, user: User, availability: str, actor=None, idle: bool = False) -> User:
    """Set whether an agent is online, away or offline (assignment and the team's view read it).

    `actor` is who changed it: the agent (None) or the system following their activity; `idle` marks
    an away that the agent's next activity undoes, unlike an away they chose.
    """
    if availability not in Availability.values:
        raise ValidationFailed(gettext("Unknown availability."), extra={"availability": f"must be one of {', '.join(Availability.values)}"})
    if user.availability != availability or user.idle_away != idle:
        changed = user.availability != availability
        if changed:
            audit_record(actor=actor or user, action="agent.availability_changed", target=user,
                         changes={"availability": [user.availability, availability]})
        user.availability, user.idle_away = availability, idle
        user.save(update_fields=["availability", "idle_away"])
        if changed:
            events.publish("agent.availability_changed", {"agent_id": user.pk, "availability": availability})
    return user


def availability_rules() -> AvailabilityRules:
    """Return the workspace's availability rules (the one row, created with the defaults on first use)."""
    rules, _ = AvailabilityRules.objects.get_or_create(pk=1)
    return rules


@transaction.atomic
def availability_rules_update(*, actor: User, away_after_minutes: int, offline_when_tabs_closed: bool) -> AvailabilityRules:
    """Change after how many idle minutes agents become away and whether closing every tab signs them off."""
    require(actor, "agent.manage")
    if not 0 <= away_after_minutes <= AWAY_AFTER_MINUTES_MAX:
        raise ValidationFailed(gettext("Minutes out of range."),
                               extra={"away_after_minutes": f"must be between 0 (never) and {AWAY_AFTER_MINUTES_MAX}"})
    rules = availability_rules()
    before = {"away_after_minutes": rules.away_after_minutes, "offline_when_tabs_closed": rules.offline_when_tabs_closed}
    rules.away_after_minutes, rules.offline_when_tabs_closed = away_after_minutes, offline_when_tabs_closed
    rules.save()
    after = {"away_after_minutes": away_after_minutes, "offline_when_tabs_closed": offline_when_tabs_closed}
    audit_record(actor=actor, action="availability_rules.updated", target=rules,
                 changes={key: [before[key], after[key]] for key in after if before[key] != after[key]})
    return rules


#: A day: longer than any shift, so "away" still means something.
AWAY_AFTER_MINUTES_MAX = 1440


def agent_signed_in(*, user: User) -> User:
    """The agent signed in to the workspace: they are active and online."""
    User.objects.filter(pk=user.pk).update(last_active_at=timezone.now())
    return agent_set_availability(user=user, availability=Availability.ONLINE, actor=actors.SYSTEM)


def agent_signed_out(*, user: User) -> User:
    """The agent signed out: nobody should route to them."""
    return agent_set_availability(user=user, availability=Availability.OFFLINE, actor=actors.SYSTEM)


def agent_record_activity(*, user_id: int) -> None:
    """The agent typed, clicked or scrolled in a workspace tab; an agent away because idle is back online."""
    User.objects.filter(pk=user_id).update(last_active_at=timezone.now())
    user = User.objects.filter(pk=user_id, availability=Availability.AWAY, idle_away=True).first()
    if user is not None:
        agent_set_availability(user=user, availability=Availability.ONLINE, actor=actors.SYSTEM)


def agents_mark_idle_away() -> int:
    """Make online agents idle for longer than the rules allow away (undone by their next activity); return how many."""
    minutes = availability_rules().away_after_minutes
    if not minutes:
        return 0
    idle = User.objects.filter(availability=Availability.ONLINE, last_active_at__lt=timezone.now() - timedelta(minutes=minutes))
    for user in idle:
        agent_set_availability(user=user, availability=Availability.AWAY, actor=actors.SYSTEM, idle=True)
    return len(idle)


def agent_tabs_closed(*, user_id: int) -> None:
    """The agent's last workspace tab closed: offline, if the rules say so."""
    if not availability_rules().offline_when_tabs_closed:
        return
    user = User.objects.filter(pk=user_id).exclude(availability=Availability.OFFLINE).first()
    if user is not None:
        agent_set_availability(user=user, availability=Availability.OFFLINE, actor=actors.SYSTEM)


#: Long enough for a name, title, phone and a link; short enough to stay a signature.
SIGNATURE_MAX_LENGTH = 2000


@transaction.atomic
def agent_update_profile(*, user: User, name: str, signature: str, language: str | None = None) -> User:
    """Change an agent's own display name, the signature appended to their email replies and the workspace's language.

    `language` is a code of settings.LANGUAGES, "" to follow the browser, None to leave it as it is.
    """
    name, signature = name.strip(), signature.strip()
    max_name = User._meta.get_field("name").max_length
    if not name:
        raise ValidationFailed(gettext("Your name cannot be empty."), extra={"name": "required"})
    if len(name) > max_name:
        raise ValidationFailed(gettext("A name is at most %(max)s characters.") % {"max": max_name}, extra={"name": "too long"})
    if len(signature) > SIGNATURE_MAX_LENGTH:
        raise ValidationFailed(gettext("A signature is at most %(max)s characters.") % {"max": SIGNATURE_MAX_LENGTH}, extra={"signature": "too long"})
    if language is not None and language not in {"", *dict(settings.LANGUAGES)}:
        raise ValidationFailed(gettext("Parley has no translation for “%(language)s”.") % {"language": language}, extra={"language": "not offered"})
    wanted = (("name", name), ("signature", signature)) + ((("language", language),) if language is not None else ())
    changes = {field: [getattr(user, field), value] for field, value in wanted if getattr(user, field) != value}
    if changes:
        for field, (_, value) in changes.items():
            setattr(user, field, value)
        user.save(update_fields=list(changes))
        audit_record(actor=user, action="agent.profile_updated", target=user, changes=changes)
    return user


@transaction.atomic
def team_create(*, name: str, description: str = "", member_ids: list[int] | None = None, actor=None) -> Team:
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(gettext("A team with this name exists."), extra={"name": "taken"})
    team = Team.objects.create(name=name, description=description)
    if member_ids:
        team.members.set(_agents(member_ids))
    audit_record(actor=actor, action="team.created", target=team)
    return team


# Marked here, translated when raised: the message is chosen by the noun the caller names.
_UNKNOWN_IDS = {"agent": gettext_noop("Unknown agents."), "team": gettext_noop("Unknown teams.")}


def _existing(model, ids: list[int], *, field: str, noun: str) -> list:
    """Return the `model` rows with these ids, refusing ids that name nothing."""
    found = list(model.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {record.pk for record in found})
    if missing:
        raise ValidationFailed(gettext(_UNKNOWN_IDS[noun]), extra={field: f"no {noun} with id {', '.join(map(str, missing))}"})
    return found


def _agents(ids: list[int]) -> list[User]:
    return _existing(User, ids, field="member_ids", noun="agent")


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and shown only now."""
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=hash_token(secret))
    audit_record(actor=user, action="api_token.created", target=token)
    return token, secret


def api_token_authenticate(secret: str) -> User | None:
    """Return the active agent a token belongs to, or None; compares hashes in constant time."""
    if not secret.startswith(TOKEN_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(TOKEN_PREFIX):].split("_", 1)[0]
    # Reading the token and its agent was a fifth of an API request's time: keep them in the cache.
    token = cache.get(api_token_cache_key(prefix))
    if token is None:
        # The password hash stays out of the cache (a deferred field is loaded, and saved, only when used).
        token = (ApiToken.objects.select_related("user").defer("user__password")
                 .filter(prefix=prefix, revoked_at__isnull=True).first())
        if token is None:
            return None
        cache.set(api_token_cache_key(prefix), token, TOKEN_CACHE_SECONDS)
    if token.revoked_at or not secrets.compare_digest(token.key_hash, hash_token(secret)) or not token.user.is_active:
        return None
    now = timezone.now()
    # A write on every request would serialise API traffic on SQLite; a minute's precision is plenty.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RECORD_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        cache.set(api_token_cache_key(prefix), token, TOKEN_CACHE_SECONDS)
    return token.user


def api_token_cache_key(prefix: str) -> str:
    return f"parley:api-token:{prefix}"


def api_tokens_forget(*, prefixes) -> None:
    """Drop cached tokens, so a revocation or an agent's change counts from the next request."""
    cache.delete_many([api_token_cache_key(prefix) for prefix in prefixes])


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoked", target=token)
    return token


@transaction.atomic
def agent_set_role(*, user: User, role: str, actor) -> User:
    """Change an agent's role; the last active admin keeps theirs so the workspace stays manageable."""
    if role not in Role.values:
        raise ValidationFailed(gettext("Unknown role."), extra={"role": f"must be one of {', '.join(Role.values)}"})
    if user.role == Role.ADMIN and role != Role.ADMIN and not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists():
        raise ValidationFailed(gettext("The last admin cannot give up the admin role."), extra={"role": "last admin"})
    if user.role != role:
        audit_record(actor=actor, action="agent.role_changed", target=user, changes={"role": [user.role, role]})
        user.role = role
        user.save(update_fields=["role"])
    return user


@transaction.atomic
def team_update(*, team: Team, actor, name: str | None = None, description: str | None = None,
                member_ids: list[int] | None = None) -> Team:
    """Rename a team, change its description, or replace its members (None leaves a part as it is)."""
    changes = {}
    if name is not None and name != team.name:
        if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
            raise ValidationFailed(gettext("A team with this name exists."), extra={"name": "taken"})
        changes["name"], team.name = [team.name, name], name
    if description is not None and description != team.description:
        changes["description"], team.description = [team.description, description], description
    if member_ids is not None:
        members = _agents(member_ids)
        old = sorted(team.members.values_list("pk", flat=True))
        if old != sorted(m.pk for m in members):
            team.members.set(members)
            changes["member_ids"] = [old, sorted(m.pk for m in members)]
    if changes:
        team.save()
        audit_record(actor=actor, action="team.updated", target=team, changes=changes)
    return team


@transaction.atomic
def team_delete(*, team: Team, actor) -> None:
    """Delete a team; its conversations stay, without a team."""
    audit_record(actor=actor, action="team.deleted", target=team, changes={"name": team.name})
    team.delete()


# --- invitations, deactivation, password reset --------------------------------------------------------

INVITE_QUEUE = "accounts.invite"
PASSWORD_RESET_QUEUE = "accounts.password_reset"


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """One-time links for invited agents: their own salt (a reset link is no invitation) and a week's life.

    The token hashes the password and last login, so it is spent the moment the invitee sets a password.
    """

    key_salt = "parley.accounts.InvitationTokenGenerator"

    def check_token(self, user, token):
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except (AttributeError, ValueError):
            return False
        if self._num_seconds(self._now()) - timestamp > INVITATION_LIFETIME.total_seconds():
            return False
        return any(constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
                   for secret in [self.secret, *self.secret_fallbacks])


INVITATION_LIFETIME = timedelta(days=7)
invitation_tokens = InvitationTokenGenerator()


@transaction.atomic
def agent_invite(*, email: str, name: str, role: str, team_ids: list[int] | None = None, actor) -> User:
    """Add an agent without a password and email them a one-time link to set their own."""
    require(actor, "agent.manage")
    user = agent_create(email=email, name=name, role=role, actor=actor)
    if team_ids:
        user.teams.set(_teams(team_ids))
    audit_record(actor=actor, action="agent.invited", target=user)
    jobs.enqueue(INVITE_QUEUE, user.pk)
    events.publish("agent.updated", {"agent_id": user.pk, "fields": ["invited"], "actor": actors.describe(actor)})
    return user


@transaction.atomic
def agent_invite_resend(*, user: User, actor) -> User:
    """Email a pending invitation again, with a fresh week to accept it."""
    require(actor, "agent.manage")
    if not agent_is_invited(user):
        raise ValidationFailed(gettext("%(agent)s already accepted the invitation.") % {"agent": user}, extra={"agent": "not invited"})
    if not user.is_active:
        raise ValidationFailed(gettext("%(agent)s is deactivated; reactivate them first.") % {"agent": user}, extra={"agent": "deactivated"})
    audit_record(actor=actor, action="agent.invite_resent", target=user)
    jobs.enqueue(INVITE_QUEUE, user.pk)
    return user


def _link(view: str, user: User, token: str) -> str:
    return settings.PARLEY_BASE_URL + reverse(view, args=[urlsafe_base64_encode(force_bytes(user.pk)), token])


def agent_invite_send(*, user_id: int) -> None:
    """Email the invitation (the job's handler); an agent who accepted meanwhile gets nothing."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not agent_is_invited(user):
        return
    sender = company()
    with in_language_of(user):
        subject = gettext("You are invited to the %(company)s help desk") % {"company": sender.name}
        message = gettext("Hello %(name)s,\n\nYou were invited to answer customers with %(company)s on Parley. "
                          "Choose your password here:\n\n%(link)s\n\n"
                          "Then sign in with %(email)s. The link works once, for %(days)s days.") % {
            "name": user.name, "company": sender.name, "email": user.email, "days": INVITATION_LIFETIME.days,
            "link": _link("workspace:invitation", user, invitation_tokens.make_token(user))}
    send_mail(subject=subject, message=message, from_email=sender.default_sender, recipient_list=[user.email])


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Queue a password-reset link when the address is an active agent's; say nothing either way.

    The mail goes out from the worker, so the answer takes the same time for any address.
    """
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is not None:
        jobs.enqueue(PASSWORD_RESET_QUEUE, user.pk)


def password_reset_send(*, user_id: int) -> None:
    """Email a password-reset link (the job's handler)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    with in_language_of(user):
        subject = gettext("Reset your Parley password")
        message = gettext("Hello %(name)s,\n\nSomeone asked to reset the password of %(email)s. "
                          "Choose a new one here:\n\n%(link)s\n\n"
                          "The link works once, for %(hours)s hours. If you did not ask for it, ignore this email; "
                          "your password stays as it is.") % {
            "name": user.name, "email": user.email, "hours": hours,
            "link": _link("workspace:password-reset-confirm", user, default_token_generator.make_token(user))}
    send_mail(subject=subject, message=message, from_email=company().default_sender, recipient_list=[user.email])


@transaction.atomic
def agent_set_password(*, user: User, password: str) -> User:
    """Set an agent's own password from an invitation or reset link (the view checked the token)."""
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), extra={"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="agent.password_set", target=user)
    return user


def _other_active_admin(user: User) -> bool:
    return User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists()


@transaction.atomic
def agent_deactivate(*, user: User, actor) -> User:
    """Stop an agent from signing in; their replies, notes and audit history stay, their open conversations are unassigned."""
    from parley.conversations.models import Conversation, Status

    require(actor, "agent.manage")
    if user.pk == getattr(actor, "pk", None):
        raise ValidationFailed(gettext("You cannot deactivate yourself."), extra={"agent": "self"})
    if user.role == Role.ADMIN and not _other_active_admin(user):
        raise ValidationFailed(gettext("The last admin cannot be deactivated."), extra={"agent": "last admin"})
    if user.is_active:
        user.is_active = False
        user.availability = Availability.OFFLINE
        user.save(update_fields=["is_active", "availability"])
        # Nobody would answer them otherwise; they go back to their team's unassigned list.
        unassigned = Conversation.objects.filter(assignee=user).exclude(status__in=[Status.SOLVED, Status.CLOSED]).update(assignee=None)
        audit_record(actor=actor, action="agent.deactivated", target=user, changes={"unassigned_conversations": unassigned})
        events.publish("agent.updated", {"agent_id": user.pk, "fields": ["is_active"], "actor": actors.describe(actor)})
    return user


@transaction.atomic
def agent_reactivate(*, user: User, actor) -> User:
    """Let a deactivated agent sign in again, with the password they had."""
    require(actor, "agent.manage")
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="agent.reactivated", target=user)
        events.publish("agent.updated", {"agent_id": user.pk, "fields": ["is_active"], "actor": actors.describe(actor)})
    return user


@transaction.atomic
def agent_update(*, user: User, role: str, team_ids: list[int], actor) -> User:
    """Change an agent's role and replace the teams they belong to, together."""
    require(actor, "agent.manage")
    agent_set_role(user=user, role=role, actor=actor)
    teams = _teams(team_ids)
    old = sorted(user.teams.values_list("pk", flat=True))
    new = sorted(t.pk for t in teams)
    if old != new:
        user.teams.set(teams)
        audit_record(actor=actor, action="agent.teams_changed", target=user, changes={"team_ids": [old, new]})
        events.publish("agent.updated", {"agent_id": user.pk, "fields": ["teams"], "actor": actors.describe(actor)})
    return user


def _teams(ids: list[int]) -> list[Team]:
    return _existing(Team, ids, field="team_ids", noun="team")
