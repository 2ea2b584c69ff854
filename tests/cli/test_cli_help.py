import subprocess

import pytest

from parley.cli import COMMANDS, main


def test_given_the_installed_command_when_asked_for_help_then_every_command_is_listed_with_its_purpose(parley_bin):
    result = subprocess.run([parley_bin, "--help"], capture_output=True, text=True, timeout=30)

    assert result.returncode == 0
    for name in ("serve", "worker", "demo", "createagent", "migrate", "check", "smtpd", "bench", "rotate-keys"):
        assert name in result.stdout
    assert "run the whole product" in result.stdout


@pytest.mark.parametrize(("command", "options"), [
    ("serve", ["--host", "--port", "--workers", "--no-demo", "--no-worker", "--smtp-port"]),
    ("smtpd", ["--host", "--port"]),
    ("worker", ["--concurrency", "--no-schedules"]),
    ("demo", ["--reset", "--yes"]),
    ("createagent", ["--email", "--name", "--role", "--password", "light_agent"]),
    ("migrate", []),
    ("check", []),
    ("bench", ["ingest", "inbox", "email", "email_quality", "soak", "long_thread"]),
    ("rotate-keys", []),
])
def test_given_a_command_when_asked_for_its_help_then_it_describes_itself_with_options_and_examples(command, options, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])

    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert f"usage: parley {command}" in out
    assert f"examples:\n  parley {command}" in out
    assert " ".join(COMMANDS[command].description.split()[:6]) in " ".join(out.split())
    for option in options:
        assert option in out


def test_given_no_command_when_run_then_it_prints_the_help_and_fails(capsys):
    assert main([]) == 2
    assert "commands:" in capsys.readouterr().out


def test_given_a_missing_benchmark_script_when_bench_runs_it_then_it_says_so(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("parley.cli.__file__", str(tmp_path / "parley" / "cli.py"))

    assert main(["bench", "ingest"]) == 2
    assert "no benchmark script bench/ingest.py" in capsys.readouterr().err
