""""Test connection" for an email inbox: log in to its IMAP folder and open a session with its SMTP server."""
from __future__ import annotations

import smtplib
import socket
import ssl

from django.conf import settings

from parley.channels.base import ConnectionCheck
from parley.channels.email.config import EmailConfig, ServerSettings
from parley.channels.email.imap import ImapError, ImapMailbox
from parley.channels.email.sending import connection_for


def in_plain_words(exc: Exception, server: ServerSettings | None = None) -> str:
    """Say why a mail server could not be reached or refused us, the way an admin can act on it."""
    where = f"{server.host}:{server.port}" if server else "the site's mail server"
    if isinstance(exc, socket.gaierror):
        return f"the host name {server.host if server else ''} is unknown (check its spelling)".replace("  ", " ")
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing answers on {where}: the connection was refused (check the host, the port and the firewall)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"{where} did not answer within {server.timeout if server else settings.EMAIL_TIMEOUT} seconds"
    if isinstance(exc, ssl.SSLError):
        return f"the TLS handshake with {where} failed ({exc.reason or exc}); check the security setting"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"{where} refused the login: {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} answered {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    if isinstance(exc, ImapError):
        return f"{where}: {exc}"
    return f"{where}: {type(exc).__name__}: {exc}"


def _imap_check(server: ServerSettings) -> ConnectionCheck:
    try:
        with ImapMailbox(server):
            pass
    except (ImapError, OSError, ssl.SSLError) as exc:
        return ConnectionCheck("IMAP", False, f"Could not read mail: {in_plain_words(exc, server)}.")
    return ConnectionCheck("IMAP", True, f"Logged in to {server.host}:{server.port} as {server.username} "
                                         f"and opened the folder {server.folder}.")


def _smtp_check(config: EmailConfig) -> ConnectionCheck:
    if config.backend:
        where = f"the provider backend {config.backend}"
    elif config.smtp:
        where = f"{config.smtp.host}:{config.smtp.port}"
    else:
        where = "the site's outgoing mail server"
    try:
        connection = connection_for(config)
        connection.open()
        connection.close()
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        return ConnectionCheck("SMTP", False, f"Could not send mail: {in_plain_words(exc, config.smtp)}.")
    login = f" and logged in as {config.smtp.username}" if config.smtp and config.smtp.username else ""
    return ConnectionCheck("SMTP", True, f"Opened a session with {where}{login}; replies can go out.")


def connection_checks(config: EmailConfig) -> list[ConnectionCheck]:
    """Try reading (when the inbox polls IMAP) and sending; one check each."""
    checks = [_imap_check(config.imap)] if config.imap else []
    return [*checks, _smtp_check(config)]
