"""`parley smtpd` as an operator runs it: a real SMTP server in its own process."""
import smtplib
import socket
import subprocess
import time

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.servers
def test_given_smtpd_running_when_mail_comes_for_an_unknown_address_then_it_is_refused_with_550(run_parley, cli_env, parley_bin):
    assert run_parley("migrate").returncode == 0
    port = _free_port()
    process = subprocess.Popen([parley_bin, "smtpd", "--port", str(port)], env=cli_env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                time.sleep(0.1)
        else:
            pytest.fail("parley smtpd did not listen within 30 s")
        with client:
            code, banner = client.ehlo()
            client.mail("customer@example.com")
            refused, reason = client.rcpt("nobody@parley.test")
        assert code == 250
        assert (refused, b"No such mailbox" in reason) == (550, True)
    finally:
        process.terminate()
        process.wait(10)


def test_given_a_busy_port_smtpd_says_so_in_one_line_and_exits(run_parley, cli_env, parley_bin):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_parley("smtpd", "--port", str(port), timeout=60)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"parley smtpd: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(is another server using the port? choose one with --port)"]
