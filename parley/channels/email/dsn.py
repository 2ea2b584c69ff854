"""Parse delivery status notifications (RFC 3464) and common non-standard bounces."""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.header import decode_header, make_header
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
_PASTED_HEADER = re.compile(r"^[ \t]*(Message-ID|Subject|To):[ \t]*(.*(?:\n[ \t]+\S.*)*)", re.IGNORECASE | re.MULTILINE)
_TEMPORARY = re.compile(r"\bdelay|temporar|will (?:retry|continue)|not yet been delivered", re.IGNORECASE)
_RETURNED_TYPES = {
    "message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers", "message/global-headers",
}
_STATUS_TYPES = {"message/delivery-status", "message/global-delivery-status"}


class BounceRecipient(NamedTuple):
    """One recipient a delivery report speaks about, with why it failed (see bounce_classify)."""

    address: str
    action: str
    status: str
    diagnostic: str
    category: str = ""
    kind: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class BounceReport:
    """What a bounce says about the message it returns.

    `original_subject` and `original_to` come from the returned copy, so a bounce that names no
    Message-ID can still be matched to the latest reply sent to that address.
    """

    original_message_id: str | None
    recipients: list[BounceRecipient]
    reason: str
    original_subject: str = ""
    original_to: str = ""

    @property
    def permanent(self) -> bool:
        """Tell whether delivery failed for good for at least one recipient; unknown recipients prove nothing."""
        return any(r.action == "failed" or r.status.startswith("5") for r in self.recipients)

    @property
    def hard(self) -> bool:
        """Tell whether an address itself is bad (unknown user, no such domain): sending again cannot help."""
        return self.permanent and any(r.kind == "hard" for r in self.recipients)

    @property
    def main(self) -> BounceRecipient | None:
        """Return the recipient that explains the bounce best: a failed one before a delayed one."""
        return next((r for r in self.recipients if r.action == "failed"), None) or next(iter(self.recipients), None)

    @property
    def category(self) -> str:
        """Return the reason category of the main recipient, e.g. "mailbox_full" or "unknown_user"."""
        return self.main.category if self.main else "other"

    @property
    def explanation(self) -> str:
        """Say in plain words why delivery failed, for the agent who sees the failed reply."""
        return self.main.explanation if self.main else CATEGORIES["other"][1]


# Reason categories: whether they condemn the address ("hard") and what to tell an agent.
CATEGORIES: dict[str, tuple[str, str]] = {
    "unknown_user": ("hard", "The address does not exist at the recipient's provider."),
    "mailbox_disabled": ("hard", "The mailbox has been disabled or is no longer in use."),
    "invalid_address": ("hard", "The address is not a valid email address."),
    "host_not_found": ("hard", "The recipient's domain or mail server could not be found."),
    "mailbox_full": ("soft", "The recipient's mailbox is full."),
    "too_large": ("soft", "The message is too large for the recipient's server."),
    "spam": ("soft", "The recipient's server rejected the message as spam."),
    "blocked": ("soft", "The recipient's server refused the message (security policy or block list)."),
    "expired": ("soft", "The recipient's server could not be reached before delivery gave up."),
    "temporary": ("soft", "A temporary problem; delivery is being retried."),
    "other": ("soft", "The recipient's server refused the message."),
}
# Providers' wording, checked before status codes: many servers send a bare 550 or a generic 5.0.0.
_REASON_TEXTS = [
    ("mailbox_full", r"mailbox (?:is )?full|\bquota\b|exceeded (?:the )?storage"
                     r"|insufficient (?:system )?storage|mailbox size limit|out of storage|QuotaExceeded"
                     r"|容量(?:が)?(?:オーバー|超過|不足)|メールボックスがいっぱい"),
    ("mailbox_disabled", r"\b(?:disabled|deactivated|inactive|suspended)\b|no longer (?:active|in use)"
                         r"|account (?:has been )?(?:closed|locked)"),
    ("host_not_found", r"host or domain name not found|host (?:name )?not found|domain (?:not found|does not exist)"
                       r"|name service error|unrouteable|unroutable|no mx\b|null mx|unable to resolve|no route to host"
                       r"|ドメイン(?:が|は)?(?:存在しません|見つかりません)"),
    ("unknown_user", r"user unknown|unknown user|no such (?:user|mailbox|recipient)|does ?n[o']t exist|not exist"
                     r"|recipient not found|RecipNotFound|RecipientNotFound|unknown recipient|invalid recipient"
                     r"|no mailbox here|mailbox (?:unavailable|not found)|address rejected: user|not our customer"
                     r"|宛先(?:が)?(?:不明|見つかりません)|存在しない|ユーザー(?:が)?(?:存在しません|見つかりません)"),
    ("too_large", r"too (?:large|big)|message size|size limit|exceeds (?:the )?(?:maximum )?size"),
    ("spam", r"spam|unsolicited|\bjunk\b|\bvirus\b|malware|content (?:was )?rejected|迷惑メール"),
    ("blocked", r"block(?:ed|list| list)|blacklist|denied|not authori[sz]ed|policy|banned|reputation|\bspf\b|\bdkim\b"
                r"|\bdmarc\b|relay(?:ing)? (?:not permitted|denied|access)|受信拒否|拒否"),
    ("expired", r"retry timeout exceeded|expired|timed? ?out|gave up|giving up|maximum time"),
]
_REASON_PATTERNS = [(category, re.compile(pattern, re.IGNORECASE)) for category, pattern in _REASON_TEXTS]
# RFC 3463 subject.detail codes that name the reason on their own.
_STATUS_CATEGORIES = {
    "1.0": "unknown_user", "1.1": "unknown_user", "1.6": "unknown_user", "1.2": "host_not_found",
    "1.10": "host_not_found", "1.3": "invalid_address", "2.1": "mailbox_disabled", "2.2": "mailbox_full",
    "2.3": "too_large", "3.4": "too_large", "4.4": "host_not_found", "4.7": "expired",
}


def bounce_classify(status: str, diagnostic: str, action: str = "") -> tuple[str, str, str]:
    """Return (category, "hard" or "soft", plain-words explanation) for one recipient of a bounce."""
    category = next((name for name, pattern in _REASON_PATTERNS if pattern.search(diagnostic)), None)
    if category is None and status:
        klass, _, detail = status.partition(".")
        category = _STATUS_CATEGORIES.get(detail) or ("blocked" if detail.startswith("7.") else None)
        if category is None and klass == "4":
            category = "temporary"
    if category is None:
        category = "temporary" if action == "delayed" else "other"
    delayed = action == "delayed" or status.startswith("4")
    if delayed and category == "expired":
        # A timeout while the server keeps trying is not the end of delivery.
        category = "temporary"
    kind, explanation = CATEGORIES[category]
    # A delay never condemns an address, whatever the reason the server gave for it.
    return category, "soft" if delayed else kind, explanation


def _classified(address: str, action: str, status: str, diagnostic: str) -> BounceRecipient:
    return BounceRecipient(address, action, status, diagnostic, *bounce_classify(status, diagnostic, action))


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


def status_fields(part: Message) -> dict[str, str]:
    """Return the fields of a report part's blocks (delivery-status, feedback-report), the first value of each."""
    fields: dict[str, str] = {}
    for block in _status_blocks(part):
        for name, value in _fields(block.strip() + "\n").items():
            fields.setdefault(name, value)
    return fields


def _recipients_from_status(part: Message) -> list[BounceRecipient]:
    recipients = []
    for block in _status_blocks(part):
        fields = _fields(block.strip() + "\n")
        address = _after_type(fields.get("final-recipient") or fields.get("original-recipient") or "")
        if not address:
            continue
        recipients.append(
            _classified(
                address=address.strip("<>").lower(),
                action=fields.get("action", "").lower(),
                status=_status_code(fields.get("status", "")) or fields.get("status", ""),
                diagnostic=_after_type(fields.get("diagnostic-code", "")),
            )
        )
    return recipients


def returned_headers(parts: list[Message]) -> dict[str, str]:
    """Return the Message-ID, Subject and To of the copy a report returns, as found in its parts."""
    for part in parts:
        if part.get_content_type() not in _RETURNED_TYPES:
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            headers = payload[0]
        else:
            headers = HeaderParser().parsestr(_payload_text(part))
        found = _header_facts(headers)
        if any(found.values()):
            return found
    return {"message_id": "", "subject": "", "to": ""}


def _header_facts(headers) -> dict[str, str]:
    match = _MESSAGE_ID.search(printable(str(headers.get("Message-ID") or "")))
    return {
        "message_id": match.group(1) if match else "",
        "subject": _decoded(headers.get("Subject")),
        "to": ", ".join(address.lower() for address in _ADDRESS.findall(printable(str(headers.get("To") or "")))),
    }


def _decoded(value) -> str:
    if value is None:
        return ""
    try:
        return printable(" ".join(str(make_header(decode_header(str(value)))).split()))
    except Exception:  # a malformed encoded word: keep the raw text
        return printable(" ".join(str(value).split()))


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
        recipients.append(_classified(address, _action_for(region, code), code, reason))
    for address in _ADDRESS.findall(failed_header):
        if address.lower() not in seen:
            seen.add(address.lower())
            code = _status_code(smtp_line)
            recipients.append(_classified(address.lower(), _action_for(region, code), code, smtp_line or region))
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
        returned = returned_headers(children)
        if not returned["message_id"]:
            returned = {**returned, **{k: v for k, v in _headers_from_text(text).items() if v}}
        return _report(returned, recipients, subject)

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
    returned = returned_headers(children)
    if not any(returned.values()):
        returned = _headers_from_text(text[copy.start():] if copy else "")
    return _report(returned, recipients, subject)


def _report(returned: dict[str, str], recipients: list[BounceRecipient], subject: str) -> BounceReport:
    return BounceReport(
        original_message_id=returned["message_id"] or None,
        recipients=recipients,
        reason=_reason(recipients, subject),
        original_subject=returned["subject"],
        original_to=returned["to"],
    )


def _headers_from_text(text: str) -> dict[str, str]:
    """Read the returned copy's Message-ID, Subject and To out of a bounce that pastes its headers as text."""
    found: dict[str, str] = {}
    for match in _PASTED_HEADER.finditer(text):
        found.setdefault(match.group(1).lower(), match.group(2))
    return _header_facts({"Message-ID": found.get("message-id"), "Subject": found.get("subject"), "To": found.get("to")})
