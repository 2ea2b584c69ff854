"""A small IMAP client over the standard library's imaplib (no extra dependency; it speaks
everything a poll needs: SSL/STARTTLS, LOGIN or SASL XOAUTH2, UID SEARCH/FETCH/STORE/MOVE).
"""
from __future__ import annotations

import imaplib
import ssl

from parley.channels.email.config import ServerSettings
from parley.channels.email.oauth2 import xoauth2_string


class ImapError(Exception):
    """The IMAP server refused a command or answered something unreadable."""


def _ok(response, what: str):
    typ, data = response
    if typ != "OK":
        raise ImapError(f"{what} failed: {b' '.join(d for d in data if isinstance(d, bytes)).decode(errors='replace')}")
    return data


class ImapMailbox:
    """One logged-in session on one folder; use as a context manager."""

    def __init__(self, server: ServerSettings):
        self.server = server
        self.client: imaplib.IMAP4 | None = None
        self.uidvalidity = 0

    def __enter__(self) -> ImapMailbox:
        server = self.server
        context = ssl.create_default_context()
        if server.security == "ssl":
            self.client = imaplib.IMAP4_SSL(server.host, server.port, ssl_context=context, timeout=server.timeout)
        else:
            self.client = imaplib.IMAP4(server.host, server.port, timeout=server.timeout)
            if server.security == "starttls":
                _ok(self.client.starttls(context), "STARTTLS")
        try:
            if server.auth == "oauth2":
                _ok(self.client.authenticate("XOAUTH2", lambda _: xoauth2_string(server.username, server.oauth2_token)), "AUTHENTICATE")
            else:
                _ok(self.client.login(server.username, server.password), "LOGIN")
        except imaplib.IMAP4.error as exc:
            raise ImapError(f"login as {server.username} failed: {exc}") from exc
        _ok(self.client.select(_quoted(server.folder)), f"SELECT {server.folder}")
        _, data = self.client.response("UIDVALIDITY")
        self.uidvalidity = int(data[0]) if data and data[0] else 0
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass  # the server already went away; nothing is left to close cleanly

    def new_uids(self, *, after: int) -> list[int]:
        """Return UIDs to fetch: above `after` when we have polled this folder before, else the unseen ones."""
        criteria = f"UID {after + 1}:*" if after else "UNSEEN"
        data = _ok(self.client.uid("SEARCH", None, criteria), "SEARCH")
        uids = sorted(int(u) for u in b" ".join(d for d in data if d).split())
        # "n:*" always matches the highest UID, even when it is below n.
        return [u for u in uids if u > after]

    def fetch(self, uid: int) -> bytes:
        """Return one message's raw bytes without setting \\Seen."""
        data = _ok(self.client.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"FETCH {uid}")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return item[1]
        raise ImapError(f"FETCH {uid} returned no message body")

    def mark_done(self, uid: int) -> None:
        """Mark a stored message \\Seen, or move it to the configured folder."""
        if not self.server.move_to:
            _ok(self.client.uid("STORE", str(uid), "+FLAGS", "(\\Seen)"), f"STORE {uid}")
            return
        if "MOVE" in self.client.capabilities:
            _ok(self.client.uid("MOVE", str(uid), _quoted(self.server.move_to)), f"MOVE {uid}")
            return
        _ok(self.client.uid("COPY", str(uid), _quoted(self.server.move_to)), f"COPY {uid}")
        _ok(self.client.uid("STORE", str(uid), "+FLAGS", "(\\Seen \\Deleted)"), f"STORE {uid}")
        _ok(self.client.expunge(), "EXPUNGE")


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
