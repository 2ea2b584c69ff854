import hashlib
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from parley.accounts.models import ApiToken, Availability, Role, Team, User
from parley.core import events
from parley.core.errors import ValidationFailed
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
        raise ValidationFailed("Unknown role.", extra={"role": f"must be one of {', '.join(Role.values)}"})
    if not email or "@" not in email:
        raise ValidationFailed("A valid email is required.", extra={"email": "invalid"})
    if User.objects.filter(email=email).exists():
        raise ValidationFailed("An agent with this email exists.", extra={"email": "taken"})
    user = User.objects.create_user(email, password, name=name or email.split("@")[0], role=role)
    audit_record(actor=actor, action="agent.created", target=user, changes={"role": role})
    return user


@transaction.atomic
def agent_set_availability(*, user: User, availability: str) -> User:
    """Set whether an agent is online, away or offline (assignment and the team's view read it)."""
    if availability not in Availability.values:
        raise ValidationFailed("Unknown availability.", extra={"availability": f"must be one of {', '.join(Availability.values)}"})
    if user.availability != availability:
        audit_record(actor=user, action="agent.availability_changed", target=user, changes={"availability": [user.availability, availability]})
        user.availability = availability
        user.save(update_fields=["availability"])
        events.publish("agent.availability_changed", {"agent_id": user.pk, "availability": availability})
    return user


#: Long enough for a name, title, phone and a link; short enough to stay a signature.
SIGNATURE_MAX_LENGTH = 2000


@transaction.atomic
def agent_update_profile(*, user: User, name: str, signature: str) -> User:
    """Change an agent's own display name and the signature appended to their email replies."""
    name, signature = name.strip(), signature.strip()
    max_name = User._meta.get_field("name").max_length
    if not name:
        raise ValidationFailed("Your name cannot be empty.", extra={"name": "required"})
    if len(name) > max_name:
        raise ValidationFailed(f"A name is at most {max_name} characters.", extra={"name": "too long"})
    if len(signature) > SIGNATURE_MAX_LENGTH:
        raise ValidationFailed(f"A signature is at most {SIGNATURE_MAX_LENGTH} characters.", extra={"signature": "too long"})
    changes = {field: [getattr(user, field), value] for field, value in (("name", name), ("signature", signature))
               if getattr(user, field) != value}
    if changes:
        for field, (_, value) in changes.items():
            setattr(user, field, value)
        user.save(update_fields=list(changes))
        audit_record(actor=user, action="agent.profile_updated", target=user, changes=changes)
    return user


@transaction.atomic
def team_create(*, name: str, description: str = "", member_ids: list[int] | None = None, actor=None) -> Team:
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationFailed("A team with this name exists.", extra={"name": "taken"})
    team = Team.objects.create(name=name, description=description)
    if member_ids:
        team.members.set(_agents(member_ids))
    audit_record(actor=actor, action="team.created", target=team)
    return team


def _agents(ids: list[int]) -> list[User]:
    """Return the agents with these ids, refusing ids that name nobody."""
    agents = list(User.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {a.pk for a in agents})
    if missing:
        raise ValidationFailed("Unknown agents.", extra={"member_ids": f"no agent with id {', '.join(map(str, missing))}"})
    return agents


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
        raise ValidationFailed("Unknown role.", extra={"role": f"must be one of {', '.join(Role.values)}"})
    if user.role == Role.ADMIN and role != Role.ADMIN and not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists():
        raise ValidationFailed("The last admin cannot give up the admin role.", extra={"role": "last admin"})
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
            raise ValidationFailed("A team with this name exists.", extra={"name": "taken"})
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
