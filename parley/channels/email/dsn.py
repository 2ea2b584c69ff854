"""Parse delivery status notifications (RFC 3464) and common non-standard bounces."""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from typing import NamedTuple

from .charsets import printable

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_SMTP_REPLY = re.compile(r"^[45]\d\d[\s-]")
_DAEMON = re.compile(r"^(?:mailer-daemon|mail-daemon|mailerdaemon|postmaster)(?:@|$)", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver(?:ed|able)|delivery status notification|mail delivery failed|failure notice|returned mail"
    r"|delivery failure|nondeliverable|non-delivery|unzustellbar|non remis|no se puede entregar|onbestelbaar",
    re.IGNORECASE,
)
_TRIGGER = re.compile(
    r"delivery to the following recipients? failed|the following addresses? had permanent fatal errors"
    r"|the following address\(es\) failed|wasn't able to deliver your message|could not be delivered to one or"
    r" more (?:of its )?recipients|delivery has failed to these recipients|couldn't be delivered"
    r"|message could not be delivered|undelivered mail returned to sender",
    re.IGNORECASE,
)
# Where a bounce stops describing the failure and starts quoting the returned message.
_COPY_MARKER = re.compile(
    r"^\s*(?:-+ ?Below this line is a copy of the message|-+ ?This is a copy of the message"
    r"|-+ ?Original message ?-+|Original message headers:|-+ ?The header of the original message"
    r"|-+ ?Forwarded message ?-+|Received: )",
    re.IGNORECASE | re.MULTILINE,
)
_ORIGINAL_ID = re.compile(r"^\s*Message-ID:\s*<([^<>\s]+)>", re.IGNORECASE | re.MULTILINE)
_TEMPORARY = re.compile(r"\bdelay|temporar|will (?:retry|continue)|not yet been delivered", re.IGNORECASE)
_RETURNED_TYPES = {"message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers"}
_STATUS_TYPES = {"message/delivery-status", "message/global-delivery-status"}


class BounceRecipient(NamedTuple):
    """One recipient a delivery report speaks about."""

    address: str
    action: str
    status: str
    diagnostic: str


@dataclass(frozen=True)
class BounceReport:
    """What a bounce says about the message it returns."""

    original_message_id: str | None
    recipients: list[BounceRecipient]
    reason: str

    @property
    def permanent(self) -> bool:
        """Tell whether delivery failed for good for at least one recipient; unknown recipients prove nothing."""
        return any(r.action == "failed" or r.status.startswith("5") for r in self.recipients)


def _fields(block: str) -> dict[str, str]:
    """Parse one header-like block into lower-cased names and unfolded values, keeping the first of each."""
    fields: dict[str, str] = {}
    for name, value in HeaderParser().parsestr(block).items():
        fields.setdefault(name.lower(), printable(" ".join(str(value).split())))
    return fields


def _status_code(text: str) -> str:
    match = _STATUS.search(text)
    return match.group(1) if match else ""


def _after_type(value: str) -> str:
    """Drop the "rfc822;" or "smtp;" type label DSN fields carry."""
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _payload_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return printable(payload.decode("utf-8", "replace"))
    return printable(payload) if isinstance(payload, str) else ""


def _status_blocks(part: Message) -> list[str]:
    """Return the header blocks of a delivery-status part whichever way the email package stored it."""
    payload = part.get_payload()
    if isinstance(payload, list):
        # The email package parses message/delivery-status into one sub-message per block.
        blocks = []
        for sub in payload:
            if isinstance(sub, Message):
                blocks.append("\n".join(f"{k}: {v}" for k, v in sub.items()))
                body = sub.get_payload()
                if isinstance(body, str) and body.strip():
                    blocks.extend(re.split(r"\n\s*\n", body.replace("\r\n", "\n")))
        return blocks
    return re.split(r"\n\s*\n", _payload_text(part).replace("\r\n", "\n"))


def _recipients_from_status(part: Message) -> list[BounceRecipient]:
    recipients = []
    for block in _status_blocks(part):
        fields = _fields(block.strip() + "\n")
        address = _after_type(fields.get("final-recipient") or fields.get("original-recipient") or "")
        if not address:
            continue
        recipients.append(
            BounceRecipient(
                address=address.strip("<>").lower(),
                action=fields.get("action", "").lower(),
                status=_status_code(fields.get("status", "")) or fields.get("status", ""),
                diagnostic=_after_type(fields.get("diagnostic-code", "")),
            )
        )
    return recipients


def _original_id_from_parts(parts: list[Message]) -> str | None:
    for part in parts:
        content_type = part.get_content_type()
        if content_type not in _RETURNED_TYPES:
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            value = payload[0].get("Message-ID")
        else:
            value = HeaderParser().parsestr(_payload_text(part)).get("Message-ID")
        match = _MESSAGE_ID.search(printable(str(value or "")))
        if match:
            return match.group(1)
    return None


def _action_for(text: str, status: str) -> str:
    if status.startswith("4") or (not status and _TEMPORARY.search(text)):
        return "delayed"
    return "failed"


def _recipients_from_text(region: str, failed_header: str) -> list[BounceRecipient]:
    """Pick recipients and their diagnostics out of a free-text bounce."""
    recipients: list[BounceRecipient] = []
    seen: set[str] = set()
    # Fallback diagnostic for formats (Gmail) that print the server's reply apart from the address list.
    smtp_line = next((line.strip() for line in region.splitlines() if _SMTP_REPLY.match(line.strip())), "")
    # qmail and Exim both print each failed address on its own line, followed by its indented reason.
    for match in re.finditer(r"^[ \t]*<?(" + _ADDRESS.pattern + r")>?:?[ \t]*$", region, re.MULTILINE):
        address = match.group(1).lower()
        if address in seen:
            continue
        seen.add(address)
        reason = " ".join(region[match.end():].lstrip("\r\n").split("\n\n", 1)[0].split())
        if not _status_code(reason) and smtp_line:
            reason = smtp_line
        code = _status_code(reason)
        recipients.append(BounceRecipient(address, _action_for(region, code), code, reason))
    for address in _ADDRESS.findall(failed_header):
        if address.lower() not in seen:
            seen.add(address.lower())
            code = _status_code(smtp_line)
            recipients.append(BounceRecipient(address.lower(), _action_for(region, code), code, smtp_line))
    return recipients


def _reason(recipients: list[BounceRecipient], fallback: str) -> str:
    if not recipients:
        return fallback or "delivery failed"
    parts = []
    for r in recipients:
        detail = " ".join(filter(None, [r.action or "failed", f"({r.status})" if r.status else ""]))
        parts.append(f"{r.address}: {detail}" + (f" - {r.diagnostic}" if r.diagnostic else ""))
    return "; ".join(parts)


def parse_bounce(msg: Message, text: str, *, sender: str = "", subject: str = "") -> BounceReport | None:
    """Return the BounceReport `msg` carries, or None when it is not a bounce.

    `text` is the decoded human-readable body and `sender` the lower-cased From address.
    """
    children = msg.get_payload() if msg.is_multipart() else []
    children = [part for part in children if isinstance(part, Message)] if isinstance(children, list) else []
    status_parts = [part for part in children if part.get_content_type() in _STATUS_TYPES]
    # Only a top-level report counts: a customer forwarding a bounce to support is not bouncing.
    if msg.get_content_type() == "multipart/report" and status_parts:
        recipients = [r for part in status_parts for r in _recipients_from_status(part)]
        original = _original_id_from_parts(children) or _original_id_from_text(text)
        return BounceReport(original, recipients, _reason(recipients, subject))

    failed_header = str(msg.get("X-Failed-Recipients") or "")
    daemon = bool(_DAEMON.match(sender)) or "mail delivery" in str(msg.get("From") or "").lower()
    if not (failed_header or daemon):
        return None
    trigger = _TRIGGER.search(text)
    if not (failed_header or trigger or _BOUNCE_SUBJECT.search(subject)):
        return None
    start = trigger.end() if trigger else 0
    copy = _COPY_MARKER.search(text, start)
    region = text[start:copy.start() if copy else len(text)]
    recipients = _recipients_from_text(region, failed_header)
    original = _original_id_from_parts(children) or _original_id_from_text(text[copy.start():] if copy else "")
    return BounceReport(original, recipients, _reason(recipients, subject))


def _original_id_from_text(text: str) -> str | None:
    match = _ORIGINAL_ID.search(text)
    return match.group(1) if match else None
