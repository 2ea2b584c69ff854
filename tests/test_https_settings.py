"""PARLEY_HTTPS=1 behind a TLS-terminating proxy: the browser is told to stay on HTTPS and cookies never travel in clear."""
import httpx
import pytest


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_with_parley_https_the_server_sends_hsts_and_secure_cookies(parley_server_factory):
    with parley_server_factory({"PARLEY_HTTPS": "1", "PARLEY_SESSION_HOURS": "8"}) as base:
        secure = httpx.get(base + "/login/", headers={"X-Forwarded-Proto": "https"})
        plain = httpx.get(base + "/login/")

    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "secure" in secure.headers["Set-Cookie"].lower()
    assert "Strict-Transport-Security" not in plain.headers


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_without_parley_https_cookies_work_over_plain_http(parley_server):
    response = httpx.get(parley_server + "/login/")

    assert "Strict-Transport-Security" not in response.headers
    assert "secure" not in response.headers["Set-Cookie"].lower()
