"""Fixtures shared by every test: agents of each role, inboxes, and a way to run on-commit work."""
import pytest

from parley.accounts.models import Role
from parley.accounts.services import agent_create, team_create


@pytest.fixture
def make_agent(db):
    counter = iter(range(1, 10_000))

    def make(role: str = Role.AGENT, name: str | None = None, **kwargs):
        n = next(counter)
        return agent_create(email=kwargs.pop("email", f"{role}{n}@example.test"), name=name or f"{role.title()} {n}",
                            password="pw-secret-1", role=role)

    return make


@pytest.fixture
def admin(make_agent):
    return make_agent(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def agent(make_agent):
    return make_agent(Role.AGENT, name="Sam Agent")


@pytest.fixture
def team(db, agent):
    return team_create(name="Support", member_ids=[agent.pk])


@pytest.fixture
def api_inbox(db):
    from parley.channels.services import inbox_create

    return inbox_create(name="Shop app", kind="api")


@pytest.fixture
def webform_inbox(db):
    from parley.channels.services import inbox_create

    return inbox_create(name="Contact form", kind="webform")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (events, task enqueues) as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
