"""Settings for the test suite: the same as production, with jobs run in-process and fast hashing.

DATABASE_URL and REDIS_URL still switch the suite to PostgreSQL and Redis.
"""
import os
import tempfile

os.environ.setdefault("PARLEY_DATA_DIR", tempfile.mkdtemp(prefix="parley-test-"))

from parley.settings import *  # noqa: E402,F401,F403

PARLEY_JOBS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test process always collects mail in memory; a server a test starts may be pointed at a real SMTP sink.
EMAIL_BACKEND = os.environ.get("PARLEY_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
ALLOWED_HOSTS = ["*"]
# Rate limits stay out of the way of tests about something else (counters in Redis outlive a test);
# the rate-limit tests set their own.
for _rate in ("SIGNIN_ACCOUNT", "SIGNIN_IP", "LOGIN_LINK", "API_TOKEN", "CONTACT_FORM", "WEBHOOK"):
    globals()[f"PARLEY_RATE_{_rate}"] = os.environ.get(f"PARLEY_RATE_{_rate}", "100000/1m")
