from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    LIGHT_AGENT = "light_agent", _("Light agent")


class Availability(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An agent: anyone who works in the workspace. Customers are Contacts, never Users."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    availability = models.CharField(max_length=8, choices=Availability.choices, default=Availability.OFFLINE)
    #: The agent's last keystroke, click or scroll in any workspace tab; idle agents become away.
    last_active_at = models.DateTimeField(null=True, blank=True)
    #: Away because idle, not by choice: the agent's next activity brings them back online.
    idle_away = models.BooleanField(default=False)
    signature = models.TextField(blank=True)
    #: The workspace's language for this agent (a code of settings.LANGUAGES); blank follows the browser.
    language = models.CharField(max_length=10, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)
    #: Mixed into every session's signature: raising it ("sign out everywhere") ends all the agent's sessions.
    session_generation = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        verbose_name = "agent"

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_staff(self) -> bool:
        # Only admins reach Django's admin site.
        return self.role == Role.ADMIN

    def _get_session_auth_hash(self, secret=None):
        # Django signs each session with a hash of the password; the generation joins it, so bumping it
        # invalidates every session on its next request, as a password change does. Generation 0 keeps
        # Django's own hash, so sessions from before this field existed stay valid.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac("parley.accounts.User.session", f"{self.password}|{self.session_generation}",
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper() or self.email[:2].upper()


class AvailabilityRules(models.Model):
    """How availability follows activity, for the whole workspace (one row; see `availability_rules`)."""

    #: Minutes without activity after which an online agent becomes away; 0 leaves them online.
    away_after_minutes = models.PositiveSmallIntegerField(default=10)
    #: Closing the last workspace tab makes the agent offline.
    offline_when_tabs_closed = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"away after {self.away_after_minutes} min"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A per-agent API token; only its SHA-256 is stored, the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TwoFactor(models.Model):
    """An agent's authenticator app: its TOTP secret (encrypted at rest) and when they proved it works."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    #: The last 30-second step a code was accepted for: the same code cannot sign in twice.
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Two-factor of {self.user}"


class SecurityKey(models.Model):
    """A security key or passkey (WebAuthn credential) an agent signs in with instead of a code."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_keys")
    name = models.CharField(max_length=100)
    #: The credential id, base64url: unique across agents, so a key answers for one agent only.
    credential_id = models.CharField(max_length=1400, unique=True)
    #: The COSE public key the key signs with.
    public_key = models.BinaryField()
    #: The key's signature counter at its last use; 0 for keys that do not keep one (most passkeys).
    sign_count = models.BigIntegerField(default=0)
    #: How the browser reaches the key ("usb", "nfc", "ble", "internal", "hybrid"), as it reported.
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} of {self.user}"


class RecoveryCode(models.Model):
    """A one-time code that signs in instead of the authenticator; only its keyed hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"])]


class SecurityPolicy(models.Model):
    """How agents sign in: one row, edited in Settings → Security."""

    #: The roles (Role values) whose agents must sign in with a second factor.
    two_factor_roles = models.JSONField(default=list, blank=True)
    #: Empty: PARLEY_SESSION_HOURS decides.
    session_hours = models.PositiveIntegerField(null=True, blank=True)
    #: Agents and light agents see only their teams' conversations and those assigned to them.
    team_scoping = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "security policy"


class SingleSignOn(models.Model):
    """The OpenID Connect provider agents may sign in with: one row, edited in Settings → Security → Single sign-on.

    While no row exists the PARLEY_OIDC_* environment variables configure single sign-on.
    """

    enabled = models.BooleanField(default=False)
    #: Shown on the login page: "Sign in with <provider_name>".
    provider_name = models.CharField(max_length=80, blank=True)
    client_id = models.CharField(max_length=255, blank=True)
    #: Encrypted at rest (parley.channels.secrets); never shown back.
    client_secret = models.TextField(blank=True)
    authorization_endpoint = models.URLField(max_length=500, blank=True)
    token_endpoint = models.URLField(max_length=500, blank=True)
    userinfo_endpoint = models.URLField(max_length=500, blank=True)
    jwks_endpoint = models.URLField(max_length=500, blank=True)
    sign_algo = models.CharField(max_length=10, default="RS256")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "single sign-on"

    def __str__(self):
        return f"Single sign-on ({self.provider_name})" if self.provider_name else "Single sign-on"
