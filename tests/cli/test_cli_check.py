import pytest


@pytest.fixture
def migrated(run_parley):
    assert run_parley("migrate", "--verbosity", "0").returncode == 0


def test_given_the_defaults_and_a_migrated_database_when_checked_then_every_line_is_ok(migrated, run_parley):
    result = run_parley("check")

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout
    assert all(line.startswith("ok: ") for line in lines[:-1])
    assert any("migrations applied" in line for line in lines)
    assert any(line.startswith("ok: outbound email is written to ") and "sent-mail" in line for line in lines)
    assert lines[-1] == "Everything looks fine."


def test_given_a_fresh_data_dir_when_checked_then_it_asks_for_migrations(run_parley):
    result = run_parley("check")

    assert result.returncode == 1
    assert "migrations not applied — fix: run `parley migrate`" in result.stdout


def test_given_an_unreachable_redis_when_checked_then_it_names_the_problem_and_fails(migrated, run_parley):
    result = run_parley("check", extra_env={"REDIS_URL": "redis://127.0.0.1:1/0"})

    assert result.returncode == 1
    assert "problem: REDIS_URL redis://127.0.0.1:1/0 is not reachable" in result.stdout
    assert "— fix: start Redis or correct REDIS_URL" in result.stdout


def test_given_a_base_url_outside_allowed_hosts_when_checked_then_it_says_which_host_to_allow(migrated, run_parley):
    result = run_parley("check", extra_env={"PARLEY_BASE_URL": "https://help.example.com"})

    assert result.returncode == 1
    assert "problem: PARLEY_BASE_URL host help.example.com is not in ALLOWED_HOSTS" in result.stdout
    assert "fix: add help.example.com to PARLEY_ALLOWED_HOSTS" in result.stdout


def test_given_an_unreachable_smtp_server_when_checked_then_it_fails(migrated, run_parley):
    result = run_parley("check", extra_env={"PARLEY_SMTP_HOST": "127.0.0.1", "PARLEY_SMTP_PORT": "1"})

    assert result.returncode == 1
    assert "problem: SMTP server 127.0.0.1:1 is not reachable" in result.stdout


def test_given_a_shared_database_without_a_secret_key_when_checked_then_it_asks_for_one(migrated, run_parley, cli_env):
    env = {"DATABASE_URL": cli_env.get("DATABASE_URL", f"sqlite:///{cli_env['PARLEY_DATA_DIR']}/parley.sqlite3"),
           "PARLEY_SECRET_KEY": ""}
    result = run_parley("check", extra_env=env)

    assert result.returncode == 1
    assert "problem: DATABASE_URL is set but PARLEY_SECRET_KEY is not" in result.stdout


def test_the_base_url_line_says_the_port_is_not_checked(migrated, run_parley):
    result = run_parley("check", extra_env={"PARLEY_BASE_URL": "http://127.0.0.1:8000"})

    line = next(line for line in result.stdout.splitlines() if "PARLEY_BASE_URL" in line)
    assert "matches" not in line and "its port is not checked" in line


def test_without_boto3_check_says_amazon_ses_inbound_is_off_and_how_to_turn_it_on(migrated, run_parley):
    import importlib.util

    result = run_parley("check")

    expected = ("ok: Amazon SES inbound mail is off: it needs boto3 (pip install 'parley[amazon-ses]')"
                if importlib.util.find_spec("boto3") is None else "ok: Amazon SES inbound mail can be used")
    assert any(line.startswith(expected) for line in result.stdout.splitlines())
    assert result.returncode == 0


def test_check_deploy_says_in_plain_words_what_a_public_install_lacks(migrated, run_parley):
    result = run_parley("check", "--deploy", extra_env={"PARLEY_BASE_URL": "https://127.0.0.1",
                                                         "PARLEY_SECRET_KEY": "x" * 60})

    assert result.returncode == 1
    assert ("problem: browsers are not told to stay on HTTPS (no HSTS) — fix: set PARLEY_HTTPS=1 behind your TLS proxy"
            in result.stdout)
    assert "problem: the sign-in cookie is also sent over plain HTTP — fix: set PARLEY_HTTPS=1" in result.stdout
    assert "but PARLEY_HTTPS is off" in result.stdout
    assert "security.W" not in result.stdout


def test_check_deploy_with_https_on_has_no_cookie_or_hsts_problem(migrated, run_parley):
    result = run_parley("check", "--deploy", extra_env={"PARLEY_BASE_URL": "https://127.0.0.1", "PARLEY_HTTPS": "1",
                                                         "PARLEY_SECRET_KEY": "k" * 20 + "Q9#xv" * 10})

    problems = [line for line in result.stdout.splitlines() if line.startswith("problem:")]
    assert not any("HSTS" in line or "cookie" in line for line in problems), problems
    assert "ok: HSTS covers this host only" in result.stdout


def test_check_names_what_half_configured_single_sign_on_lacks(migrated, run_parley):
    result = run_parley("check", extra_env={"PARLEY_OIDC_CLIENT_ID": "parley",
                                            "PARLEY_OIDC_AUTHORIZATION_ENDPOINT": "https://id.acme.test/authorize"})

    assert result.returncode == 1
    assert ("problem: single sign-on is half configured: PARLEY_OIDC_CLIENT_ID is set but PARLEY_OIDC_CLIENT_SECRET, "
            "PARLEY_OIDC_TOKEN_ENDPOINT, PARLEY_OIDC_USERINFO_ENDPOINT, PARLEY_OIDC_JWKS_ENDPOINT is not") in result.stdout
