import pytest

from parley.accounts.models import User
from parley.cli import main


def test_given_an_email_name_role_and_password_when_createagent_runs_then_the_agent_can_log_in(db, capsys):
    code = main(["createagent", "--email", "Ana@Example.com", "--name", "Ana Souza", "--role", "supervisor",
                 "--password", "long-enough-secret"])

    agent = User.objects.get(email="ana@example.com")
    assert code == 0
    assert (agent.name, agent.role) == ("Ana Souza", "supervisor")
    assert agent.check_password("long-enough-secret")
    assert "Created supervisor Ana Souza <ana@example.com>." in capsys.readouterr().out


def test_given_a_taken_email_when_createagent_runs_then_it_refuses_with_a_clear_message(db, capsys):
    main(["createagent", "--email", "ana@example.com", "--name", "Ana", "--password", "long-enough-secret"])
    capsys.readouterr()

    code = main(["createagent", "--email", "ana@example.com", "--name", "Another Ana", "--role", "admin",
                 "--password", "another-secret-1"])

    assert code == 1
    assert "An agent with this email exists. (email: taken: ana@example.com)" in capsys.readouterr().err
    assert list(User.objects.values_list("name", "role")) == [("Ana", "agent")]


def test_given_no_password_option_when_createagent_runs_then_it_prompts_twice(db, monkeypatch):
    answers = iter(["typed-secret-99", "typed-secret-99"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    assert main(["createagent", "--email", "bo@example.com", "--name", "Bo", "--role", "light_agent"]) == 0
    assert User.objects.get(email="bo@example.com").check_password("typed-secret-99")


@pytest.mark.parametrize(("typed", "message"), [
    (["one-secret-123", "other-secret-123"], "the passwords do not match."),
    (["short", "short"], "password refused: This password is too short."),
])
def test_given_a_bad_password_when_createagent_prompts_then_it_refuses_and_creates_nobody(db, monkeypatch, capsys, typed, message):
    answers = iter(typed)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    assert main(["createagent", "--email", "bo@example.com", "--name", "Bo"]) == 1
    assert message in capsys.readouterr().err
    assert not User.objects.exists()


def test_given_an_unknown_role_when_createagent_runs_then_argparse_refuses_it(db, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["createagent", "--email", "bo@example.com", "--name", "Bo", "--role", "boss", "--password", "long-enough-secret"])

    assert exit_.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err
    assert not User.objects.exists()
