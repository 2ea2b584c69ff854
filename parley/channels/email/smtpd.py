"""The built-in SMTP receiver: point an MX (or a relay) at it and mail lands in the inbox it is addressed to.

RCPT TO picks the inbox by address (any case, +tags allowed); unknown recipients get 550.
The message is stored as an envelope before 250 is answered, so accepted mail is never lost:
if storing fails the sender is told 451 and keeps the mail to try again.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from channels.db import database_sync_to_async
from django.conf import settings

logger = logging.getLogger(__name__)


def max_message_bytes() -> int:
    # Room for attachments over the limit (base64 grows them by a third), so a mail with one
    # is accepted and shown with a note rather than bounced.
    return getattr(settings, "PARLEY_MAX_EMAIL_BYTES", 3 * settings.PARLEY_MAX_ATTACHMENT_BYTES)


def _inbox_id_for(address: str) -> int | None:
    from parley.channels.email.selectors import inbox_for_address

    inbox = inbox_for_address(address)
    return inbox.pk if inbox else None


def _store(mail_from: str, recipients: list[str], raw: bytes) -> None:
    from parley.channels.email.services import email_store
    from parley.channels.models import Inbox

    if not raw.lower().startswith(b"return-path:"):
        raw = f"Return-Path: <{mail_from or ''}>\r\n".encode() + raw
    inbox_ids = list(dict.fromkeys(filter(None, (_inbox_id_for(r) for r in recipients))))
    for inbox in Inbox.objects.filter(pk__in=inbox_ids):
        email_store(inbox=inbox, raw=raw)


class InboundHandler:
    """aiosmtpd handler: accept mail for Parley's inboxes only, store it, then say 250."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if await database_sync_to_async(_inbox_id_for)(address) is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        try:
            await database_sync_to_async(_store)(envelope.mail_from, list(envelope.rcpt_tos), bytes(raw))
        except Exception:  # the client keeps the mail and retries on a 4xx: never answer 250 for a lost mail
            logger.exception("storing mail from %s failed", envelope.mail_from)
            return "451 4.3.0 The message could not be stored; try again later"
        return "250 2.0.0 Message accepted for delivery"


class _TolerantSMTP(SMTP):
    # Generated mail (HTML on one line) breaks RFC 5321's 1000-octet line limit often enough that
    # real MTAs accept such lines; refusing them would bounce genuine customer mail.
    line_length_limit = 1_000_000


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _TolerantSMTP(self.handler, **self.SMTP_kwargs)


def run_smtpd(host: str, port: int, *, data_size_limit: int | None = None) -> Controller:
    """Start the SMTP receiver on a background thread and return its controller (stop() ends it)."""
    controller = _Controller(InboundHandler(), hostname=host, port=port, enable_SMTPUTF8=True,
                            data_size_limit=data_size_limit or max_message_bytes(), ident="Parley ESMTP")
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> int:
    """Run the SMTP receiver in the foreground until interrupted."""
    parser = argparse.ArgumentParser(prog="parley smtpd", description="Receive email for Parley's inboxes over SMTP.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2525, help="port to listen on (default 2525)")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    import django

    django.setup()
    try:
        controller = run_smtpd(options.host, options.port)
    except OSError as exc:
        print(f"parley smtpd: cannot listen on {options.host}:{options.port}: {os.strerror(exc.errno) if exc.errno else exc} "
              "(is another server using the port? choose one with --port)", file=sys.stderr)
        return 1
    logger.warning("Parley SMTP receiver listening on %s:%s", options.host, options.port)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0
