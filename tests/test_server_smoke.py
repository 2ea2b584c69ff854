import httpx
import pytest


@pytest.mark.servers
def test_the_server_answers_and_sends_anonymous_agents_to_login(parley_server, transactional_db):
    response = httpx.get(parley_server + "/", follow_redirects=False)

    assert response.status_code == 302
    assert "/login/" in response.headers["location"]
