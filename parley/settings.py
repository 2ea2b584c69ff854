"""Django settings: the embedded default unless environment variables switch a row to its at-scale choice."""
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PARLEY_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    # A generated key is kept in the data dir so sessions survive restarts without configuration.
    if os.environ.get("PARLEY_SECRET_KEY"):
        return os.environ["PARLEY_SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
#: Keys that encrypt inbox credentials at rest: the first encrypts, every one decrypts (rotation).
#: Without it a key derived from SECRET_KEY is used, which also always decrypts.
PARLEY_ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("PARLEY_ENCRYPTION_KEYS", "").split(",") if k.strip()]
#: Two-letter country code that phone numbers written without a country code are read in ("DE", "US").
PARLEY_PHONE_REGION = os.environ.get("PARLEY_PHONE_REGION", "").strip().upper()
DEBUG = _env_bool("PARLEY_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("PARLEY_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("PARLEY_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
#: Served over HTTPS (usually behind a proxy that sets X-Forwarded-Proto): cookies only over HTTPS, HSTS,
#: and the proxy's word taken for which scheme the browser used.
PARLEY_HTTPS = _env_bool("PARLEY_HTTPS")
if PARLEY_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("PARLEY_HSTS_SECONDS", 365 * 24 * 3600))
#: How long a sign-in lasts without activity, in hours.
SESSION_COOKIE_AGE = int(float(os.environ.get("PARLEY_SESSION_HOURS", 24 * 14)) * 3600)
PARLEY_BASE_URL = os.environ.get("PARLEY_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PARLEY_COMPANY_NAME = os.environ.get("PARLEY_COMPANY_NAME", "Parley")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN (works offline)
    "parley.core",
    "parley.accounts",
    "parley.contacts",
    "parley.channels",
    "parley.channels.webform",
    "parley.channels.api",
    "parley.channels.email",
    "parley.channels.chat",
    "parley.channels.sms",
    "parley.channels.voice",
    "parley.conversations",
    "parley.realtime",
    "parley.workspace",
    "parley.portal",
    "parley.search",
    "parley.company",
    "parley.desk",
    "parley.automation",
    "parley.routing",
    "parley.sla",
    "parley.ratelimit",
    "parley.surveys",
    "parley.analytics",
    "parley.knowledge",
    "parley.bot",
    "parley.community",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parley.company.middleware.CompanyTimeZoneMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parley.core.i18n.AgentLanguageMiddleware",
    "parley.workspace.security_middleware.SecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "parley.core.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "parley.urls"
ASGI_APPLICATION = "parley.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # {% translate %} and {% blocktranslate %} in every template without a {% load i18n %} line in each.
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'parley.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool rather than persistent connections: under ASGI each request may run on a new thread,
    # and per-thread connections pile up; opening one per request halved ingest throughput.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": int(os.environ.get("PARLEY_DB_POOL_SIZE", 10)), "timeout": 30}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web request threads and worker threads live on (parley.core.asgi), so each keeps its connection:
    # opening one costs more than the query, and closing the last one checkpoints the WAL.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock-upgrade deadlocks;
    # the engine waits for the write lock in short steps (parley/core/sqlite3), up to `timeout` seconds.
    DATABASES["default"]["ENGINE"] = "parley.core.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
#: Messages queued per socket before the layer drops: an agent's socket hears every conversation of its inboxes,
#: so bursts of chat traffic must fit (the default of 100 filled at 50 messages a second).
CHANNEL_CAPACITY = int(os.environ.get("PARLEY_CHANNEL_CAPACITY", 2000))
if REDIS_URL:
    # channels-redis, except that a socket whose queue is full is told to resync rather than left behind.
    CHANNEL_LAYERS = {"default": {"BACKEND": "parley.realtime.redis_layer.ResyncingRedisChannelLayer",
                                  "CONFIG": {"hosts": [REDIS_URL], "capacity": CHANNEL_CAPACITY}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"pool_class": "parley.core.cache.SharedConnectionPool"}}}
else:
    # Any process (worker, SMTP receiver, every web worker) reaches every socket through the database: ADR 0005.
    CHANNEL_LAYERS = {"default": {"BACKEND": "parley.realtime.layers.DatabaseChannelLayer",
                                  "CONFIG": {"capacity": CHANNEL_CAPACITY}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

#: Seconds each process trusts its copy of settings rows that every message or webhook consults (parley.core.kept)
#: when another process may have changed them; a change counts at once in the process that saves it.
PARLEY_KEPT_SECONDS = float(os.environ.get("PARLEY_KEPT_SECONDS", 2))

#: Rate limits, "count/period" (period in s, m, h or d), counted in the database or, with REDIS_URL, in Redis.
PARLEY_RATE_SIGNIN_ACCOUNT = os.environ.get("PARLEY_RATE_SIGNIN_ACCOUNT", "10/15m")  # failed sign-ins per account
PARLEY_RATE_SIGNIN_IP = os.environ.get("PARLEY_RATE_SIGNIN_IP", "30/15m")  # failed sign-ins per address
PARLEY_RATE_LOGIN_LINK = os.environ.get("PARLEY_RATE_LOGIN_LINK", "5/15m")  # portal sign-in links per address and e-mail
PARLEY_RATE_API_TOKEN = os.environ.get("PARLEY_RATE_API_TOKEN", "20/1m")  # wrong API tokens per address
PARLEY_RATE_CONTACT_FORM = os.environ.get("PARLEY_RATE_CONTACT_FORM", "10/10m")  # contact form posts per address
PARLEY_RATE_WEBHOOK = os.environ.get("PARLEY_RATE_WEBHOOK", "30/1m")  # refused webhook signatures per address
#: Seconds a signed webhook's timestamp may be off from now (Mailgun): older requests are refused as replays.
PARLEY_WEBHOOK_MAX_AGE = int(os.environ.get("PARLEY_WEBHOOK_MAX_AGE", 300))
#: Behind a reverse proxy the caller's address is the last one the proxy adds to X-Forwarded-For.
PARLEY_TRUST_PROXY = _env_bool("PARLEY_TRUST_PROXY")

#: Run each job in the process that queued it, as soon as its transaction commits (tests, scripts).
#: Otherwise jobs wait in the database for `parley worker` (which `parley serve` starts).
PARLEY_JOBS_EAGER = _env_bool("PARLEY_JOBS_EAGER")
#: Days the event log keeps an event (durable subscribers still waiting keep theirs longer).
PARLEY_EVENT_RETENTION_DAYS = int(os.environ.get("PARLEY_EVENT_RETENTION_DAYS", 30))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
#: The languages Parley ships complete translations for (parley/locale); an agent picks one on their profile,
#: a customer's browser or stored contact language picks one for the portal and mail.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("PARLEY_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Static files are served from the apps through WhiteNoise's finders; the folder only has to exist.
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("PARLEY_MEDIA_ROOT", DATA_DIR / "media"))
#: Largest JSON object field (metadata, custom fields, custom attributes) the API takes, in bytes.
PARLEY_MAX_METADATA_BYTES = int(os.environ.get("PARLEY_MAX_METADATA_BYTES", 64 * 1024))
PARLEY_MAX_ATTACHMENT_BYTES = int(os.environ.get("PARLEY_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = PARLEY_MAX_ATTACHMENT_BYTES * 2
#: Hard bounces (unknown user, no such domain) after which an email address is marked undeliverable.
PARLEY_HARD_BOUNCE_LIMIT = int(os.environ.get("PARLEY_HARD_BOUNCE_LIMIT", 3))
# Automation: rule-caused changes in a row before a chain is stopped as a loop; webhook request timeout and
# failed attempts in a row before a webhook is switched off.
PARLEY_AUTOMATION_MAX_CHAIN = int(os.environ.get("PARLEY_AUTOMATION_MAX_CHAIN", 10))
PARLEY_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("PARLEY_WEBHOOK_TIMEOUT_SECONDS", 10))
PARLEY_WEBHOOK_DISABLE_AFTER = int(os.environ.get("PARLEY_WEBHOOK_DISABLE_AFTER", 15))

# With no mail server configured, outbound mail is written to a folder (one .log file per
# batch) so a laptop install "sends" replies that can be read there; PARLEY_SMTP_HOST sends for real.
EMAIL_BACKEND = os.environ.get("PARLEY_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("PARLEY_SMTP_HOST")
    else "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "sent-mail"
EMAIL_HOST = os.environ.get("PARLEY_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PARLEY_SMTP_PORT", 25))
EMAIL_HOST_USER = os.environ.get("PARLEY_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PARLEY_SMTP_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("PARLEY_SMTP_STARTTLS")
# Every network call has a timeout: a mail server that never answers must not hold a worker thread.
EMAIL_TIMEOUT = int(os.environ.get("PARLEY_SMTP_TIMEOUT", 30))
DEFAULT_FROM_EMAIL = os.environ.get("PARLEY_FROM_EMAIL", "support@parley.localhost")
# Inbound email webhooks: anymail checks each provider's signature with these.
ANYMAIL = {
    key: os.environ[f"PARLEY_{key}"]
    for key in ("WEBHOOK_SECRET", "MAILGUN_WEBHOOK_SIGNING_KEY")
    if os.environ.get(f"PARLEY_{key}")
}

# The help center's main language: articles are written in it first, and unknown locales fall back to it.
PARLEY_HELP_CENTER_LOCALE = os.environ.get("PARLEY_HELP_CENTER_LOCALE", "en")
# The bot's optional OpenAI-compatible endpoint (off unless a URL is set): it writes answers from the retrieved articles only.
PARLEY_BOT_LLM_URL = os.environ.get("PARLEY_BOT_LLM_URL", "")
PARLEY_BOT_LLM_MODEL = os.environ.get("PARLEY_BOT_LLM_MODEL", "gpt-4o-mini")
PARLEY_BOT_LLM_API_KEY = os.environ.get("PARLEY_BOT_LLM_API_KEY", "")
PARLEY_BOT_LLM_TIMEOUT = float(os.environ.get("PARLEY_BOT_LLM_TIMEOUT", 10))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARLEY_LOG_LEVEL", "WARNING")},
    "loggers": {"parley": {"level": os.environ.get("PARLEY_LOG_LEVEL", "INFO")}},
}

#: Single sign-on through an OpenID Connect provider: on when PARLEY_OIDC_CLIENT_ID is set (docs/security.md).
OIDC_RP_CLIENT_ID = os.environ.get("PARLEY_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("PARLEY_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("PARLEY_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("PARLEY_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("PARLEY_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("PARLEY_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("PARLEY_OIDC_SIGN_ALGO", "RS256")
#: The sign-in button says "Sign in with <this>".
PARLEY_OIDC_NAME = os.environ.get("PARLEY_OIDC_NAME", "single sign-on")
OIDC_RP_SCOPES = "openid email"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATE_CLASS = "parley.workspace.security_views.SsoStartView"
OIDC_CALLBACK_CLASS = "parley.workspace.security_views.SsoCallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "parley.accounts.sso.AgentOIDCBackend"]
