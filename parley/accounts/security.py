"""How agents prove who they are: two-factor codes, security keys, recovery codes, the workspace's security policy
and sessions.

TOTP (RFC 6238) through pyotp: 6 digits, 30-second steps, one step of clock drift allowed either way.
Security keys and passkeys through py_webauthn: the relying party is PARLEY_BASE_URL's host, its origin the only one
accepted.
"""
import json
import secrets
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit

import pyotp
import segno
import webauthn
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from webauthn.helpers import (
    bytes_to_base64url, parse_authentication_credential_json, parse_authenticator_data, parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria, AuthenticatorTransport, ClientDataType, PublicKeyCredentialDescriptor, ResidentKeyRequirement,
    UserVerificationRequirement,
)

from parley.accounts.models import RecoveryCode, Role, SecurityKey, SecurityPolicy, TwoFactor, User
from parley.accounts.permissions import require
from parley.channels.secrets import decrypt, encrypt, reencrypt
from parley.company.selectors import company
from parley.core.errors import NotFound, ValidationFailed
from parley.core.services import audit_record

RECOVERY_CODE_COUNT = 10
#: Codes are accepted one 30-second step early or late, for phones whose clock drifts.
DRIFT_STEPS = 1
MAX_SESSION_HOURS = 24 * 90


# --- the policy -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Policy:
    #: The roles whose agents must sign in with a second factor.
    two_factor_roles: frozenset[str]
    #: The hours an admin chose, or None when the environment's PARLEY_SESSION_HOURS applies.
    session_hours: int | None
    team_scoping: bool = False

    def requires_two_factor(self, user) -> bool:
        return user.role in self.two_factor_roles

    @property
    def session_seconds(self) -> int:
        return self.session_hours * 3600 if self.session_hours else settings.SESSION_COOKIE_AGE


def security_policy() -> Policy:
    """Return the workspace's sign-in rules (the defaults when no admin has saved any)."""
    row = SecurityPolicy.objects.first()
    if row is None:
        return Policy(two_factor_roles=frozenset(), session_hours=None)
    return Policy(two_factor_roles=frozenset(row.two_factor_roles), session_hours=row.session_hours,
                  team_scoping=row.team_scoping)


@transaction.atomic
def security_policy_update(*, actor, two_factor_roles, session_hours: int | None, team_scoping: bool = False) -> Policy:
    """Save which roles must use two-factor sign-in, how long a session lasts (None: the environment's) and
    whether agents see only their teams' conversations."""
    require(actor, "security.manage")
    unknown = sorted(set(two_factor_roles) - set(Role.values))
    if unknown:
        raise ValidationFailed(gettext("Two-factor sign-in can be required of these roles: %(roles)s.")
                               % {"roles": ", ".join(Role.values)}, extra={"two_factor_roles": f"unknown role {unknown[0]!r}"})
    # Kept in the order roles are listed, so the same choice saves the same value however it was sent.
    two_factor_roles = [role for role in Role.values if role in set(two_factor_roles)]
    if session_hours is not None and not 1 <= session_hours <= MAX_SESSION_HOURS:
        raise ValidationFailed(gettext("A session lasts between 1 and %(hours)s hours.") % {"hours": MAX_SESSION_HOURS},
                               extra={"session_hours": f"must be 1 to {MAX_SESSION_HOURS}"})
    row = SecurityPolicy.objects.select_for_update().first() or SecurityPolicy()
    wanted = {"two_factor_roles": two_factor_roles, "session_hours": session_hours, "team_scoping": team_scoping}
    changes = {name: [getattr(row, name), value] for name, value in wanted.items() if getattr(row, name) != value}
    for name, value in wanted.items():
        setattr(row, name, value)
    row.save()
    if changes:
        audit_record(actor=actor, action="security.updated", target=row, changes=changes)
    return security_policy()


def team_scoped(user) -> bool:
    """Return whether `user` sees only their teams' conversations (and those assigned to them)."""
    return user.role in (Role.AGENT, Role.LIGHT_AGENT) and security_policy().team_scoping


# --- two-factor ---------------------------------------------------------------------------------------------------

def authenticator_app_enabled(user: User) -> bool:
    """Return whether `user` confirmed an authenticator app, so signing in can take a code from it."""
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def two_factor_enabled(user: User) -> bool:
    """Return whether `user` has a second factor (an authenticator app or a security key), so signing in asks for it."""
    return authenticator_app_enabled(user) or SecurityKey.objects.filter(user=user).exists()


def two_factor_pending_secret(user: User) -> str | None:
    """Return the secret of an authenticator the agent started to add but has not confirmed."""
    device = TwoFactor.objects.filter(user=user, confirmed_at__isnull=True).first()
    return decrypt(device.secret) if device else None


def two_factor_setup_uri(*, user: User, secret: str) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=company().name or "Parley")


def two_factor_qr_svg(uri: str) -> str:
    """Return the QR code of `uri` as an inline SVG element."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111827", light="#ffffff", title="Two-factor setup code")


@transaction.atomic
def two_factor_begin(*, user: User) -> str:
    """Start adding an authenticator: a new secret, unconfirmed until the agent types a code it shows."""
    if authenticator_app_enabled(user):
        raise ValidationFailed(gettext("Two-factor sign-in is already on; turn it off before adding another authenticator."),
                               extra={"two_factor": "already on"})
    secret = pyotp.random_base32()
    TwoFactor.objects.update_or_create(user=user, defaults={"secret": encrypt(secret), "confirmed_at": None, "last_used_step": 0})
    return secret


def _step_accepted(device: TwoFactor, code: str) -> int | None:
    """Return the time step `code` is valid for, or None; a step at or before the last one used is refused (replay)."""
    totp = pyotp.TOTP(decrypt(device.secret))
    now = timezone.now()
    for drift in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        step = totp.timecode(now) + drift
        if step > device.last_used_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _clean_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Turn two-factor on once `code` from the new authenticator is right; return the recovery codes, shown once."""
    device = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationFailed(gettext("Start again: there is no authenticator waiting to be confirmed."), extra={"code": "nothing to confirm"})
    step = _step_accepted(device, _clean_code(code))
    if step is None:
        raise ValidationFailed(gettext("That code is not right. Type the 6 digits your app shows now."), extra={"code": "wrong code"})
    device.confirmed_at, device.last_used_step = timezone.now(), step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    audit_record(actor=user, action="agent.two_factor_enabled", target=user)
    return _recovery_codes_replace(user)


def _recovery_hash(code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the database alone cannot be searched for the codes.
    return salted_hmac("parley.accounts.recovery_code", _clean_code(code), algorithm="sha256").hexdigest()


def _recovery_codes_replace(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_recovery_hash(code)) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the agent's recovery codes with new ones (the old ones stop working); return them, shown once."""
    if not two_factor_enabled(user):
        raise ValidationFailed(gettext("Turn on two-factor sign-in first."), extra={"two_factor": "off"})
    audit_record(actor=user, action="agent.recovery_codes_replaced", target=user)
    return _recovery_codes_replace(user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> bool:
    """Return whether `code` (from the authenticator, or an unused recovery code) proves it is `user` signing in."""
    device = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    cleaned = _clean_code(code)
    if cleaned.isdigit() and len(cleaned) == 6:
        step = _step_accepted(device, cleaned) if device else None
        if step is None:
            return False
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        return True
    used = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(cleaned), used_at__isnull=True).update(used_at=timezone.now())
    if used:
        audit_record(actor=user, action="agent.recovery_code_used", target=user, changes={"left": recovery_codes_left(user)})
    return bool(used)


@transaction.atomic
def two_factor_disable(*, user: User, actor) -> None:
    """Turn two-factor off for `user` (authenticator app and security keys): by the agent themselves, or by an admin
    when the agent lost their phone or key."""
    if actor != user:
        require(actor, "agent.manage")
    elif security_policy().requires_two_factor(user):
        raise ValidationFailed(gettext("Your workspace requires two-factor sign-in; an admin can reset it if you lost your phone."),
                               extra={"two_factor": "required by the workspace"})
    deleted = TwoFactor.objects.filter(user=user).delete()[0] + SecurityKey.objects.filter(user=user).delete()[0]
    RecoveryCode.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=actor, action="agent.two_factor_disabled", target=user)


# --- security keys and passkeys (WebAuthn) --------------------------------------------------------------------------

def relying_party() -> tuple[str, str]:
    """Return the WebAuthn relying party id (PARLEY_BASE_URL's host) and the one origin keys may answer from."""
    base = urlsplit(settings.PARLEY_BASE_URL)
    return base.hostname or "", f"{base.scheme}://{base.netloc}"


def security_keys(user: User) -> list[SecurityKey]:
    return list(SecurityKey.objects.filter(user=user))


def security_key_registration_options(*, user: User) -> tuple[dict, bytes]:
    """Return the options the browser creates a new key with (JSON-ready) and their challenge, for the session."""
    rp_id, _ = relying_party()
    options = webauthn.generate_registration_options(
        rp_id=rp_id, rp_name=company().name or "Parley", user_name=user.email, user_display_name=user.name or user.email,
        # A stable handle per agent, so a passkey saved again for the same agent replaces the old one on the device.
        user_id=salted_hmac("parley.accounts.webauthn_user", str(user.pk), algorithm="sha256").digest(),
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.PREFERRED,
                                                               user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(user))
    return json.loads(webauthn.options_to_json(options)), options.challenge


def security_key_authentication_options(*, user: User) -> tuple[dict, bytes]:
    """Return the options the browser asks one of `user`'s keys to sign with (JSON-ready) and their challenge."""
    rp_id, _ = relying_party()
    options = webauthn.generate_authentication_options(rp_id=rp_id, allow_credentials=_descriptors(user),
                                                       user_verification=UserVerificationRequirement.PREFERRED)
    return json.loads(webauthn.options_to_json(options)), options.challenge


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(key.credential_id),
                                          transports=[AuthenticatorTransport(transport) for transport in key.transports] or None)
            for key in security_keys(user)]


#: What a malformed answer raises while it is parsed (bad JSON, bad base64url, bad CBOR).
UNREADABLE = (WebAuthnException, ValueError, TypeError)


def _refuse(message: str, reason: str) -> NoReturn:
    raise ValidationFailed(message, extra={"credential": reason})


def _refuse_unreadable() -> NoReturn:
    _refuse(gettext("The security key's answer could not be read. Try again."), "malformed")


def _check_client_data(client_data_json: bytes, *, challenge: bytes | None, ceremony: ClientDataType) -> None:
    """Refuse, saying why, an answer to no pending request, to an older one, or from another site.

    py_webauthn checks these too, but its errors are for developers; these are for the agent.
    """
    if challenge is None:
        _refuse(gettext("That security key request has expired or was already used. Try again."), "no pending request")
    try:
        client_data = parse_client_data_json(client_data_json)
    except UNREADABLE:
        _refuse_unreadable()
    if client_data.type != ceremony or not secrets.compare_digest(client_data.challenge, challenge):
        _refuse(gettext("That security key request has expired or was already used. Try again."), "challenge mismatch")
    _, origin = relying_party()
    if client_data.origin != origin:
        _refuse(gettext("The security key answered for %(origin)s, not for %(expected)s: open Parley at %(expected)s "
                        "and try again.") % {"origin": client_data.origin, "expected": origin}, "wrong origin")


@transaction.atomic
def security_key_register(*, user: User, name: str, credential: str, challenge: bytes | None) -> tuple[SecurityKey, list[str]]:
    """Add the key that answered `challenge` (single use: the caller has removed it from the session).

    Returns the key and, when it turned two-factor sign-in on, the recovery codes, shown once.
    """
    name = name.strip()
    if not name:
        raise ValidationFailed(gettext("Give the key a name, such as “Blue USB key” or “Laptop”."), extra={"name": "required"})
    if len(name) > 100:
        raise ValidationFailed(gettext("A key's name has at most 100 characters."), extra={"name": "too long"})
    try:
        parsed = parse_registration_credential_json(credential)
    except UNREADABLE:
        _refuse_unreadable()
    _check_client_data(parsed.response.client_data_json, challenge=challenge, ceremony=ClientDataType.WEBAUTHN_CREATE)
    rp_id, origin = relying_party()
    try:
        verified = webauthn.verify_registration_response(credential=parsed, expected_challenge=challenge,
                                                         expected_rp_id=rp_id, expected_origin=origin)
    except UNREADABLE:
        _refuse(gettext("The security key's answer could not be verified. Try again."), "not verified")
    credential_id = bytes_to_base64url(verified.credential_id)
    if SecurityKey.objects.filter(credential_id=credential_id).exists():
        _refuse(gettext("This security key is already added."), "already added")
    was_on = two_factor_enabled(user)
    key = SecurityKey.objects.create(user=user, name=name, credential_id=credential_id, public_key=verified.credential_public_key,
                                     sign_count=verified.sign_count,
                                     transports=[transport.value for transport in parsed.response.transports or []])
    audit_record(actor=user, action="agent.security_key_added", target=user, changes={"key": name})
    return key, ([] if was_on else _recovery_codes_replace(user))


@transaction.atomic
def security_key_verify(*, user: User, credential: str, challenge: bytes | None) -> SecurityKey:
    """Check that one of `user`'s keys signed `challenge` (single use) here, and record its use; refuse saying why."""
    try:
        parsed = parse_authentication_credential_json(credential)
    except UNREADABLE:
        _refuse_unreadable()
    _check_client_data(parsed.response.client_data_json, challenge=challenge, ceremony=ClientDataType.WEBAUTHN_GET)
    key = SecurityKey.objects.select_for_update().filter(user=user, credential_id=parsed.id).first()
    if key is None:
        _refuse(gettext("That security key is not one of yours. Use a key you added to your account."), "unknown key")
    try:
        sign_count = parse_authenticator_data(parsed.response.authenticator_data).sign_count
    except UNREADABLE:
        _refuse_unreadable()
    # A key that counts its signatures must count up: a count at or below the last one means a copy of the key.
    if (sign_count or key.sign_count) and sign_count <= key.sign_count:
        _refuse(gettext("That security key's signature counter went backwards, a sign it was copied. Use another key "
                        "or a code, and tell an admin."), "sign count went backwards")
    rp_id, origin = relying_party()
    try:
        verified = webauthn.verify_authentication_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=bytes(key.public_key), credential_current_sign_count=key.sign_count)
    except UNREADABLE:
        _refuse(gettext("The security key's answer could not be verified. Try again."), "not verified")
    key.sign_count, key.last_used_at = verified.new_sign_count, timezone.now()
    key.save(update_fields=["sign_count", "last_used_at"])
    audit_record(actor=user, action="agent.security_key_used", target=user, changes={"key": key.name})
    return key


@transaction.atomic
def security_key_remove(*, user: User, key_id: int) -> None:
    """Remove one of the agent's keys; removing the last second factor turns two-factor sign-in off (and its recovery
    codes with it), which a workspace requiring it refuses."""
    key = SecurityKey.objects.select_for_update().filter(user=user, pk=key_id).first()
    if key is None:
        raise NotFound(gettext("That security key is not one of yours."), extra={"key": "not found"})
    last_factor = not authenticator_app_enabled(user) and not SecurityKey.objects.filter(user=user).exclude(pk=key.pk).exists()
    if last_factor and security_policy().requires_two_factor(user):
        raise ValidationFailed(gettext("Your workspace requires two-factor sign-in: add another key or an authenticator app "
                                       "before removing this one."), extra={"key": "last second factor"})
    key.delete()
    audit_record(actor=user, action="agent.security_key_removed", target=user, changes={"key": key.name})
    if last_factor:
        RecoveryCode.objects.filter(user=user).delete()
        audit_record(actor=user, action="agent.two_factor_disabled", target=user)


# --- sessions -----------------------------------------------------------------------------------------------------

@transaction.atomic
def sessions_end_everywhere(*, user: User, actor) -> None:
    """End every signed-in session of `user` (a lost laptop, a shared computer); API tokens are revoked separately."""
    if actor != user:
        require(actor, "agent.manage")
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    audit_record(actor=actor, action="agent.signed_out_everywhere", target=user)


def two_factor_secrets_rotate() -> int:
    """Re-encrypt every authenticator app's secret with the first key of PARLEY_ENCRYPTION_KEYS; return how many."""
    devices = list(TwoFactor.objects.select_for_update().only("pk", "secret").order_by("pk"))
    for device in devices:
        TwoFactor.objects.filter(pk=device.pk).update(secret=reencrypt(device.secret))
    return len(devices)
