"""Real mail servers on loopback for the email channel tests: an SMTP sink, Parley's SMTP receiver, Dovecot."""
import base64
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused."""
    return free_port()


class SinkHandler:
    """Records every mail; answers RCPT with `refuse_with` when set (e.g. "550 5.1.1 User unknown")."""

    def __init__(self):
        self.messages = []
        self.refuse_with = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_sink():
    """An SMTP server that keeps what it receives: handler.messages is [(mail_from, rcpt_tos, EmailMessage)]."""
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


class XOAuth2SinkHandler(SinkHandler):
    """A sink that takes mail only after AUTH XOAUTH2 with `token`, answering a wrong one as Gmail documents:
    a 334 challenge carrying a JSON error, the client's empty answer, then 535."""

    def __init__(self, token: str):
        super().__init__()
        self.token, self.logins = token, []

    async def auth_XOAUTH2(self, server, args):
        fields = dict(item.split("=", 1) for item in base64.b64decode(args[1]).decode().split("\x01") if item)
        if fields.get("auth") == f"Bearer {self.token}":
            self.logins.append(fields["user"])
            return AuthResult(success=True, auth_data=fields["user"])
        await server.challenge_auth(b'{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}')
        return AuthResult(success=False, handled=False, message="535 5.7.8 Username and Password not accepted")


@pytest.fixture
def xoauth2_smtp_sink():
    """An SMTP sink that requires AUTH XOAUTH2 with the token "ya29.smtp-access-token" (no TLS: loopback only)."""
    handler = XOAuth2SinkHandler("ya29.smtp-access-token")
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), auth_required=True, auth_require_tls=False)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def email_config(*, smtp_port=None, **options):
    config = {"addresses": ["support@example.test", "help@example.test"], "display_name": "Example Support", **options}
    if smtp_port:
        config["smtp"] = {"host": "127.0.0.1", "port": smtp_port, "security": "none", "timeout": 5}
    return config


@pytest.fixture
def make_email_inbox(db):
    from parley.channels.services import inbox_create

    made = iter(range(1, 1000))

    def make(**options):
        n = next(made)
        # Two inboxes cannot share an address: later ones in a test get their own unless the test names them.
        if n > 1:
            options.setdefault("addresses", [f"support{n}@example.test"])
        return inbox_create(name="Support email", kind="email", config=email_config(**options))

    return make


@pytest.fixture
def receiver(transactional_db):
    """Parley's SMTP receiver (run_smtpd) on a free port; yields the port."""
    from parley.channels.email.smtpd import run_smtpd

    controller = run_smtpd("127.0.0.1", free_port(), data_size_limit=2_000_000)
    yield controller.port
    controller.stop()


DOVECOT_CONF = """
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={dir}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    """A Dovecot IMAP server in a temporary directory, run in the foreground as a child process."""

    user, password, token = "support@example.test", "imap-secret", "ya29.test-access-token"

    def __init__(self, directory: Path):
        import grp
        import pwd

        self.dir, self.port, self.process = directory, free_port(), None
        me = pwd.getpwuid(os.getuid())
        # Dovecot refuses to run login or mail processes as root; as root they use "nobody".
        unprivileged = pwd.getpwnam("nobody") if os.getuid() == 0 else me
        (directory / "home").mkdir()
        os.chown(directory / "home", unprivileged.pw_uid, unprivileged.pw_gid)
        directory.chmod(0o755)
        (directory / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n{self.oauth_user}:{{PLAIN}}{self.token}\n")
        (directory / "dovecot.conf").write_text(DOVECOT_CONF.format(
            dir=directory, port=self.port, internal_user=me.pw_name, internal_group=grp.getgrgid(me.pw_gid).gr_name,
            login_user=unprivileged.pw_name, mail_uid=unprivileged.pw_uid, mail_gid=unprivileged.pw_gid))

    def start(self) -> None:
        self.process = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", str(self.dir / "dovecot.conf")],
                                        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start: {(self.dir / 'dovecot.log').read_text()}")

    def kill(self) -> None:
        """Kill the server and all its processes at once, as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        shutil.rmtree(self.dir / "run", ignore_errors=True)

    oauth_user = "oauth@example.test"

    def client(self, user: str = ""):
        """Log in as `user` (default: the password account; the OAuth2 account's password is its token)."""
        import imaplib

        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        client.login(user or self.user, self.token if user == self.oauth_user else self.password)
        client.select("INBOX")
        return client

    def append(self, raw: bytes, *, user: str = "") -> None:
        client = self.client(user)
        client.append("INBOX", None, None, raw)
        client.logout()

    def seen_flags(self, *, user: str = "") -> dict[int, bool]:
        client = self.client(user)
        _, data = client.uid("FETCH", "1:*", "(FLAGS)")
        client.logout()
        flags = {}
        for line in data:
            if isinstance(line, bytes) and b"UID" in line:
                uid = int(line.split(b"UID ")[1].split()[0].rstrip(b")"))
                flags[uid] = b"\\Seen" in line
        return flags

    def imap_config(self, **overrides) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "security": "none", "username": self.user,
                "password": self.password, "timeout": 5, **overrides}


@pytest.fixture
def dovecot():
    directory = Path(tempfile.mkdtemp(prefix="parley-dovecot-"))
    server = Dovecot(directory)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def inbox(make_email_inbox):
    """An email inbox with the default test configuration."""
    return make_email_inbox()


@pytest.fixture
def receive(on_commit):
    """`receive(inbox, raw)`: store a raw mail as it arrives and process it; return the envelope."""
    from parley.channels.email.services import email_store

    def receive(inbox, raw):
        with on_commit():
            envelope, _ = email_store(inbox=inbox, raw=raw)
        envelope.refresh_from_db()
        return envelope

    return receive
