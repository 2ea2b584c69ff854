"""Configuration checks behind `parley check`: each returns a Finding, ok or with its fix."""
import os
import socket
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Finding:
    text: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return not self.fix


def _check_database(settings) -> Finding:
    from django.db import connection

    engine = "PostgreSQL" if connection.vendor == "postgresql" else connection.vendor
    try:
        connection.ensure_connection()
        pending = pending_migrations()
    except Exception as exc:
        return Finding(f"database ({engine}) is not reachable: {exc}".strip(), "check DATABASE_URL and that the server runs")
    if pending:
        return Finding(f"database ({engine}) has {pending} migrations not applied", "run `parley migrate`")
    return Finding(f"database ({engine}) reachable, migrations applied")


def _check_redis(settings) -> Finding | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:
        return Finding(f"REDIS_URL {settings.REDIS_URL} is not reachable: {exc}", "start Redis or correct REDIS_URL")
    return Finding(f"REDIS_URL {settings.REDIS_URL} reachable")


#: A due job nobody claimed for this long means no worker is running.
STALLED_JOB_AGE = timedelta(minutes=5)


def _check_jobs(settings) -> Finding | None:
    """Say whether jobs are waiting with no worker taking them, and what waits in the dead letter."""
    from django.db import DatabaseError
    from django.utils import timezone

    from parley.core.models import Job

    try:
        stalled = Job.objects.filter(dead_at__isnull=True, claimed_until__isnull=True,
                                     due_at__lt=timezone.now() - STALLED_JOB_AGE).count()
        dead = Job.objects.filter(dead_at__isnull=False).count()
    except DatabaseError:
        return None  # the database finding already says what is wrong
    if stalled:
        return Finding(f"{stalled} job(s) have waited over {STALLED_JOB_AGE.seconds // 60} minutes: no worker is taking them",
                       "start `parley worker` (or `parley serve` without --no-worker)")
    if dead:
        return Finding(f"{dead} job(s) gave up and wait in the dead letter",
                       "read their errors under Settings → Failed jobs in the workspace, fix the cause and retry them")
    return Finding("jobs: none waiting for a worker, none failed")


def _check_data_dir(settings) -> Finding:
    try:
        with tempfile.NamedTemporaryFile(dir=settings.DATA_DIR):
            pass
    except OSError as exc:
        return Finding(f"data dir {settings.DATA_DIR} is not writable: {exc}", "set PARLEY_DATA_DIR to a writable folder")
    return Finding(f"data dir {settings.DATA_DIR} writable")


def _check_secret_key(settings) -> Finding:
    if os.environ.get("PARLEY_SECRET_KEY"):
        return Finding("PARLEY_SECRET_KEY set")
    if os.environ.get("DATABASE_URL"):
        return Finding("DATABASE_URL is set but PARLEY_SECRET_KEY is not, so each instance signs sessions with its own key",
                       "set PARLEY_SECRET_KEY to one long random value on every instance "
                       "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')")
    return Finding("secret key kept in the data dir (embedded default)")


def _check_hosts(settings) -> Finding:
    from django.http.request import validate_host

    parts = urlsplit(settings.PARLEY_BASE_URL)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Finding(f"PARLEY_BASE_URL {settings.PARLEY_BASE_URL!r} is not an http(s) URL", "set it to the address agents open, e.g. https://help.example.com")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return Finding(f"PARLEY_BASE_URL host {host} is not in ALLOWED_HOSTS ({', '.join(settings.ALLOWED_HOSTS)}), so every request to it is refused",
                       f"add {host} to PARLEY_ALLOWED_HOSTS")
    # Only the host can be checked here: no server need be running, so the port is the operator's to confirm.
    return Finding(f"PARLEY_BASE_URL host {host} is in ALLOWED_HOSTS; links in mail point to {settings.PARLEY_BASE_URL} "
                   "(its port is not checked: it must be the one agents and customers open)")


def _check_email(settings) -> Finding:
    if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
        return Finding(f"outbound email is written to {settings.EMAIL_FILE_PATH}, not sent "
                       "(set PARLEY_SMTP_HOST to send replies)")
    if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        return Finding(f"outbound email through {settings.EMAIL_BACKEND}")
    where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    try:
        socket.getaddrinfo(settings.EMAIL_HOST, settings.EMAIL_PORT)
    except OSError as exc:
        return Finding(f"SMTP host {settings.EMAIL_HOST} does not resolve: {exc}", "correct PARLEY_SMTP_HOST")
    try:
        with socket.create_connection((settings.EMAIL_HOST, settings.EMAIL_PORT), timeout=5):
            pass
    except OSError as exc:
        return Finding(f"SMTP server {where} is not reachable: {exc}", "check PARLEY_SMTP_HOST / PARLEY_SMTP_PORT and the firewall")
    return Finding(f"SMTP server {where} reachable")


def _check_amazon_ses(settings) -> Finding:
    import importlib.util

    if importlib.util.find_spec("boto3") is None:
        return Finding("Amazon SES inbound mail is off: it needs boto3 (pip install 'parley[amazon-ses]'); "
                       "the other providers work without it")
    return Finding("Amazon SES inbound mail can be used (boto3 is installed)")


#: What single sign-on needs besides the client id, by the environment variable that sets it.
SSO_SETTINGS = {"PARLEY_OIDC_CLIENT_SECRET": "OIDC_RP_CLIENT_SECRET",
                "PARLEY_OIDC_AUTHORIZATION_ENDPOINT": "OIDC_OP_AUTHORIZATION_ENDPOINT",
                "PARLEY_OIDC_TOKEN_ENDPOINT": "OIDC_OP_TOKEN_ENDPOINT", "PARLEY_OIDC_USERINFO_ENDPOINT": "OIDC_OP_USER_ENDPOINT",
                "PARLEY_OIDC_JWKS_ENDPOINT": "OIDC_OP_JWKS_ENDPOINT"}


def _check_sso(settings) -> Finding | None:
    from django.db import DatabaseError

    from parley.accounts.sso import sso_config

    try:
        config = sso_config()
    except DatabaseError:
        config = None  # the database finding says why; the environment's settings are still checked
    if config is not None and config.saved_in_workspace:
        if not config.enabled:
            return Finding("single sign-on is off (Settings → Security → Single sign-on)")
        return Finding(f"single sign-on through {config.authorization_endpoint} (button: Sign in with "
                       f"{config.provider_name}; set in Settings → Security → Single sign-on)")
    if not settings.OIDC_RP_CLIENT_ID:
        return None
    missing = [name for name, setting in SSO_SETTINGS.items() if not getattr(settings, setting)]
    if missing:
        return Finding("single sign-on is half configured: PARLEY_OIDC_CLIENT_ID is set but " + ", ".join(missing) + " is not",
                       "set them from your identity provider's OpenID configuration (.well-known/openid-configuration)")
    return Finding(f"single sign-on through {settings.OIDC_OP_AUTHORIZATION_ENDPOINT} (button: Sign in with {settings.PARLEY_OIDC_NAME})")


def _check_embeddings(settings) -> Finding:
    from parley.knowledge.search import embeddings

    try:
        return Finding(embeddings.status())
    except embeddings.MissingModel as exc:
        return Finding(f"semantic help-center search is off: {exc}; search uses full text only",
                       "pip install wordllama (its model ships inside the package), then run `parley reindex`")


def _check_translations(settings) -> Finding:
    """Every shipped language needs its compiled catalogue (.mo), holding what its source (.po) says."""
    from pathlib import Path

    from parley.core.i18n import catalogue_stale

    problems = []
    for code, _name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        folder = Path(settings.LOCALE_PATHS[0]) / code / "LC_MESSAGES"
        source, compiled = folder / "django.po", folder / "django.mo"
        if not compiled.exists():
            problems.append(f"{code} is not compiled")
        elif source.exists() and (stale := catalogue_stale(source, compiled)):
            problems.append(f"{code} changed since it was compiled ({stale} messages differ)")
    if problems:
        return Finding(f"translations: {'; '.join(problems)}, so those pages and mails fall back to English",
                       f"run `django-admin compilemessages` in {Path(settings.LOCALE_PATHS[0]).parent} "
                       "(GNU gettext's msgfmt), or reinstall Parley")
    return Finding(f"translations compiled for {', '.join(code for code, _name in settings.LANGUAGES)}")


CHECKS = (_check_database, _check_redis, _check_jobs, _check_data_dir, _check_secret_key, _check_hosts, _check_email,
          _check_amazon_ses, _check_sso, _check_embeddings, _check_translations)


def configuration_findings(settings) -> list["Finding"]:
    """Run every check against `settings` and return what each found (skipped checks left out)."""
    return [finding for run in CHECKS if (finding := run(settings)) is not None]


def pending_migrations() -> int:
    """Return how many migrations are not applied to the default database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


#: Django's deployment checks (`check --deploy`), said in Parley's words with Parley's setting to change.
_DEPLOY_FIXES = {
    "security.W004": ("browsers are not told to stay on HTTPS (no HSTS)", "set PARLEY_HTTPS=1 behind your TLS proxy"),
    # Choices rather than faults: said, not counted as problems (an empty fix).
    "security.W008": ("redirecting plain HTTP to HTTPS is left to your TLS proxy", ""),
    "security.W005": ("HSTS covers this host only, not its subdomains (other sites may share the domain)", ""),
    "security.W021": ("the site is not asking to join browsers' HSTS preload list (the domain owner's choice)", ""),
    "security.W009": ("the secret key is short or looks generated by a framework default", "set PARLEY_SECRET_KEY to a long random value"),
    "security.W012": ("the sign-in cookie is also sent over plain HTTP", "set PARLEY_HTTPS=1"),
    "security.W016": ("the CSRF cookie is also sent over plain HTTP", "set PARLEY_HTTPS=1"),
    "security.W018": ("debug pages are on: errors show code and settings to anyone", "unset PARLEY_DEBUG"),
    "security.W020": ("no host names are allowed", "set PARLEY_ALLOWED_HOSTS"),
}


def deploy_findings(settings) -> list[Finding]:
    """Return what stands between this configuration and a public deployment, each with its fix."""
    from django.core import checks

    findings = []
    for message in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security]):
        text, fix = _DEPLOY_FIXES.get(message.id, (message.msg.split(". ")[0], message.hint or "see Django's deployment checklist"))
        findings.append(Finding(text, fix))
    if settings.PARLEY_BASE_URL.startswith("https://") and not settings.PARLEY_HTTPS:
        findings.append(Finding(f"PARLEY_BASE_URL is {settings.PARLEY_BASE_URL} but PARLEY_HTTPS is off, so cookies also travel "
                                "over plain HTTP", "set PARLEY_HTTPS=1"))
    if settings.PARLEY_BASE_URL.startswith("http://") and urlsplit(settings.PARLEY_BASE_URL).hostname not in (
            "127.0.0.1", "localhost", "::1"):
        findings.append(Finding(f"PARLEY_BASE_URL {settings.PARLEY_BASE_URL} is plain HTTP: passwords and customer mail "
                                "cross the network unencrypted", "serve Parley behind a TLS proxy and use an https:// URL"))
    return findings or [Finding("nothing to fix for a public deployment")]
