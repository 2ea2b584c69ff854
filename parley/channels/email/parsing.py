"""Parse raw RFC 5322 mail into a ParsedEmail, best effort and without ever raising."""
from __future__ import annotations

import email
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import Message
from email.errors import ObsoleteHeaderDefect
from email.headerregistry import HeaderRegistry
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

from parley.core.html import sanitize_html

from .arf import ComplaintReport, parse_complaint
from .autoreply import auto_reply_kind, auto_reply_reason
from .charsets import decode_bytes, decode_header_value, printable, real_text, to_bytes, unfold
from .dsn import BounceReport, parse_bounce
from .htmlbody import html_to_text, split_html
from .quotes import split_reply

_MAX_DEPTH = 25
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_FORWARD_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:Fwd?|FW|WG|TR|RV|ENC|Doorst|転送)\s?[:：]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ANGLE_ADDRESS = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>")
_AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
_AUTH_FAILURES = {"fail", "softfail", "permerror"}
_HEADERS = HeaderRegistry()
_DEBUG_HEADERS = (
    "Message-ID", "In-Reply-To", "References", "From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date",
    "Return-Path", "Content-Type", "Auto-Submitted", "Precedence", "X-Precedence", "X-Autoreply",
    "X-Autorespond", "X-Auto-Response-Suppress", "List-Id", "List-Unsubscribe", "X-Failed-Recipients",
    "X-Mailer", "User-Agent", "Delivered-To",
)


@dataclass(frozen=True)
class ParsedAttachment:
    """A file carried by the mail, inline image or attachment."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)
    content_id: str | None
    is_inline: bool


@dataclass(frozen=True)
class ParsedEmail:
    """Everything Parley reads out of one inbound mail."""

    message_id: str
    in_reply_to: str | None
    references: list[str]
    subject: str
    from_name: str
    from_address: str
    to: list[tuple[str, str]]
    cc: list[tuple[str, str]]
    reply_to: list[tuple[str, str]]
    date: datetime | None
    text: str
    html: str
    new_text: str
    quoted_text: str
    signature: str | None
    attachments: list[ParsedAttachment]
    is_auto_reply: bool
    auto_reply_reason: str | None
    is_bounce: bool
    bounce: BounceReport | None
    headers: dict[str, str]
    parse_errors: list[str]
    #: What was cut from the HTML body: the quoted history and the folded signature, sanitised.
    quoted_html: str = ""
    signature_html: str = ""
    #: The sender handed over a forwarded message: it is shown, never folded as a quote.
    is_forward: bool = False
    #: "auto_reply" (out of office, vacation), "bulk" (lists, newsletters) or "receipt"; "" for a person.
    auto_reply_kind: str = ""
    #: A feedback-loop (ARF) complaint: never a conversation.
    complaint: ComplaintReport | None = None
    #: The From header does not name one sender unambiguously (an address as the display name, stray
    #: brackets): from_address is its angle-bracket address, and the sender is not trusted as a known customer.
    from_ambiguous: bool = False
    #: SPF/DKIM/DMARC checks the receiving server reports as failed, e.g. ["spf=softfail", "dmarc=fail"].
    authentication_failures: list[str] = field(default_factory=list)

    @property
    def quote_only(self) -> bool:
        """Tell whether the sender hit reply and wrote nothing above the quote."""
        return not self.new_text and bool(self.quoted_text)


def _addresses(value: str | None, errors: list[str], where: str) -> list[tuple[str, str]]:
    if not value:
        return []
    # Split before decoding: a decoded display name may contain the comma that separates addresses.
    try:
        pairs = getaddresses([real_text(unfold(str(value)), errors, where)])
    except Exception as exc:
        errors.append(f"{where}: unparseable address list ({exc})")
        return []
    return [
        (" ".join(decode_header_value(name, errors, where).split()), address.strip().lower())
        for name, address in pairs
        if address.strip()
    ]


def _sender(value: str | None, errors: list[str]) -> tuple[str, str, bool]:
    """Return (name, address, ambiguous) for a From header, parsed strictly.

    A lenient parser reads `bob@cust.test <attacker@evil.test>` as Bob (CVE-2023-27043). Only a header the
    RFC 5322 grammar reads as exactly one mailbox is trusted; anything else is ambiguous and yields the
    address in angle brackets, the one a mail client shows and answers, or none at all.
    """
    if not value:
        return "", "", False
    lenient = _addresses(value, errors, "From")
    text = real_text(unfold(str(value)), [], "From")
    try:
        header = _HEADERS("from", text)
        strict = [a.addr_spec.strip().lower() for a in header.addresses if a.username and a.domain]
        invalid = any(not isinstance(d, ObsoleteHeaderDefect) for d in header.defects)
    except Exception:  # the header parser raises on some malformed input instead of recording a defect
        strict, invalid = [], True
    if len(lenient) == 1 and strict == [lenient[0][1]] and not invalid:
        return lenient[0][0], lenient[0][1], False
    angle = _ANGLE_ADDRESS.findall(text)
    errors.append("From: ambiguous sender address; not matched to a known customer")
    return "", (angle[0].lower() if len(angle) == 1 else ""), True


def authentication_failures(value: str | None) -> list[str]:
    """Return the SPF/DKIM/DMARC results an Authentication-Results header (RFC 8601) reports as failed."""
    results = _AUTH_RESULT.findall(unfold(str(value or "")))
    return list(dict.fromkeys(f"{method.lower()}={result.lower()}" for method, result in results
                              if result.lower() in _AUTH_FAILURES))


def _parse_date(value: str | None, errors: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(unfold(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        errors.append(f"Date: unparseable {value[:80]!r}")
        return None
    # RFC 5322 "-0000" means the zone is unknown; UTC is the least surprising reading.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of RFC 3676 format=flowed text."""
    out: list[str] = []
    carry: tuple[int, str] | None = None
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]
        if carry is not None:
            # A soft break only joins lines of the same quote depth; anything else ends the paragraph.
            if carry[0] == depth:
                body = carry[1] + body
            else:
                out.append(_quoted(*carry))
            carry = None
        if body.endswith(" ") and body != "-- ":
            carry = (depth, body[:-1] if delsp else body)
            continue
        out.append(_quoted(depth, body))
    if carry is not None:
        out.append(_quoted(*carry))
    return "\n".join(out)


def _quoted(depth: int, body: str) -> str:
    return ("> " * depth) + body if depth else body


@dataclass
class _Body:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)


class _Walker:
    """Collect body text, HTML and attachments from a MIME tree."""

    def __init__(self, errors: list[str], charset: str | None = None) -> None:
        self.errors = errors
        self.count = 0
        self.charset = charset

    def filename(self, part: Message) -> str | None:
        try:
            name = self.eight_bit_filename(part) or part.get_filename()
        except Exception:
            return None
        if not name:
            return None
        name = decode_header_value(str(name), self.errors, "filename")
        # Never let a mail pick a path: keep the last component and drop control characters.
        name = _CONTROL.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
        return name or None

    def eight_bit_filename(self, part: Message) -> str | None:
        """Read a file name sent as raw 8-bit bytes, decoded with the part's or the message's charset."""
        # The email package would decode such a name as ASCII, turning every byte into U+FFFD.
        raw = _raw_headers(part)
        values = {name: raw.get(name) for name in ("content-disposition", "content-type")}
        if all(value is None or value.isascii() for value in values.values()):
            return None
        decoded = Message()
        for name, value in values.items():
            if value is not None:
                decoded[name] = decode_bytes(
                    to_bytes(unfold(value)), part.get_content_charset() or self.charset, self.errors, "filename"
                )
        return decoded.get_filename()

    def text_of(self, part: Message) -> str:
        content_type = part.get_content_type()
        try:
            data = part.get_payload(decode=True)
        except Exception as exc:
            self.errors.append(f"{content_type}: undecodable payload ({exc})")
            data = None
        if not isinstance(data, bytes):
            return ""
        charset = part.get_content_charset()
        if charset is None and content_type == "text/html":
            meta = _META_CHARSET.search(data[:4096])
            charset = meta.group(1).decode("ascii", "ignore") if meta else None
        text = decode_bytes(data, charset, self.errors, content_type).replace("\r\n", "\n").replace("\r", "\n")
        if content_type == "text/plain" and str(part.get_param("format", "")).lower() == "flowed":
            text = _unflow(text, str(part.get_param("delsp", "")).lower() == "yes")
        return text

    def is_body(self, part: Message) -> bool:
        return (
            part.get_content_type() in ("text/plain", "text/html")
            and part.get_content_disposition() != "attachment"
            and self.filename(part) is None
        )

    def walk(self, part: Message, out: _Body, depth: int = 0, in_report: bool = False) -> None:
        if depth > _MAX_DEPTH:
            self.errors.append(f"MIME nesting deeper than {_MAX_DEPTH} levels; deeper parts ignored")
            return
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            self.message(part, out, depth, in_report)
        elif content_type in ("message/delivery-status", "message/global-delivery-status"):
            # Machine-readable bounce data: dsn.parse_bounce reads it into ParsedEmail.bounce.
            return
        elif part.is_multipart():
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            if content_type == "multipart/alternative":
                self.alternative(children, out, depth)
            else:
                for child in children:
                    self.walk(child, out, depth + 1, in_report or content_type == "multipart/report")
        elif self.is_body(part):
            text = self.text_of(part)
            if content_type == "text/html":
                out.htmls.append(text)
                text = html_to_text(text)
            out.texts.append(text)
        else:
            self.attachment(part, out)

    def alternative(self, children: list[Message], out: _Body, depth: int) -> None:
        plain = next((c for c in children if c.get_content_type() == "text/plain" and self.is_body(c)), None)
        rich = next(
            (c for c in reversed(children) if c is not plain and (self.is_body(c) or c.is_multipart())), None
        )
        sub = _Body()
        if rich is not None:
            self.walk(rich, sub, depth + 1)
        out.htmls.extend(sub.htmls)
        out.attachments.extend(sub.attachments)
        plain_text = self.text_of(plain) if plain is not None else ""
        # Some senders ship an empty text/plain alternative next to the real HTML.
        out.texts.extend([plain_text] if plain_text.strip() else sub.texts)
        for child in children:
            if child is not plain and child is not rich and not self.is_body(child):
                self.walk(child, out, depth + 1)

    def message(self, part: Message, out: _Body, depth: int, in_report: bool) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload and isinstance(payload[0], Message) else None
        content = _message_bytes(inner) if inner is not None else _payload_bytes(part)
        self.count += 1
        out.attachments.append(
            ParsedAttachment(self.filename(part) or "forwarded.eml", "message/rfc822", content, None, False)
        )
        # A bounce's returned copy is evidence, not conversation: only forwards are shown inline.
        if inner is None or in_report:
            return
        sub = _Body()
        self.walk(inner, sub, depth + 1)
        lines = ["---------- Forwarded message ---------"]
        headers = _raw_headers(inner)
        for name in ("From", "Date", "Subject", "To", "Cc"):
            value = decode_header_value(headers.get(name.lower()), self.errors, f"forwarded {name}")
            if value:
                lines.append(f"{name}: {value}")
        out.texts.append("\n".join(lines) + "\n\n" + "\n\n".join(t.strip("\n") for t in sub.texts if t.strip()))

    def attachment(self, part: Message, out: _Body) -> None:
        content_type = part.get_content_type()
        self.count += 1
        content_id = printable(str(part.get("Content-ID") or "")).strip().strip("<>").strip() or None
        disposition = part.get_content_disposition()
        extension = mimetypes.guess_extension(content_type) or (".txt" if content_type.startswith("text/") else ".bin")
        out.attachments.append(
            ParsedAttachment(
                filename=self.filename(part) or f"attachment-{self.count}{extension}",
                content_type=content_type,
                content=_payload_bytes(part),
                content_id=content_id,
                is_inline=disposition == "inline" or (disposition is None and content_id is not None),
            )
        )


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes()
    except Exception:
        try:
            return message.as_string().encode("utf-8", "surrogateescape")
        except Exception:
            return b""


def _synthetic_id(raw: bytes) -> str:
    return f"parley-synth-{hashlib.sha256(raw).hexdigest()[:40]}@local"


def _message_ids(value: str | None) -> list[str]:
    """Return the ids in a Message-ID, In-Reply-To or References value, in order and without duplicates."""
    if not value:
        return []
    value = printable(value)
    found = _MESSAGE_ID.findall(value) or [token.strip("<>") for token in value.split() if "@" in token]
    return list(dict.fromkeys(found))


def _defects(msg: Message) -> list[str]:
    found = []
    for part in msg.walk():
        for defect in getattr(part, "defects", []):
            detail = str(defect)
            found.append(type(defect).__name__ + (f": {detail}" if detail else ""))
    return found


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse one raw mail; on input too broken to read, return what could be salvaged with parse_errors set."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    raw = bytes(raw)
    errors: list[str] = []
    # The contract is to never raise on bad input, whatever the email package does with it.
    try:
        return _parse(email.message_from_bytes(raw), raw, errors)
    except Exception as exc:
        errors.append(f"fatal: {type(exc).__name__}: {exc}; read headers only")
    try:
        return _parse(_headers_over_raw_body(raw), raw, errors)
    except Exception as exc:
        errors.append(f"fatal: {type(exc).__name__}: {exc}; kept raw text only")
    text = decode_bytes(raw, None, errors, "raw")
    return ParsedEmail(
        message_id=_synthetic_id(raw), in_reply_to=None, references=[], subject="", from_name="",
        from_address="", to=[], cc=[], reply_to=[], date=None, text=text, html="", new_text=text,
        quoted_text="", signature=None, attachments=[], is_auto_reply=False, auto_reply_reason=None,
        is_bounce=False, bounce=None, headers={}, parse_errors=list(dict.fromkeys(map(printable, errors))),
    )


def _headers_over_raw_body(raw: bytes) -> Message:
    """Parse only the header block and treat everything after it as one plain-text body."""
    # Used when MIME structure (e.g. nesting deep enough to exhaust recursion) defeats the full parse.
    msg = BytesHeaderParser().parsebytes(raw)
    del msg["Content-Type"]
    del msg["Content-Transfer-Encoding"]
    return msg


def _raw_headers(msg: Message) -> dict[str, str]:
    """Return the first value of each header, keyed by lower-cased name, with 8-bit bytes still escaped."""
    # Message.get may hand back Header objects for 8-bit values; raw_items always gives the wire text.
    headers: dict[str, str] = {}
    for name, value in msg.raw_items():
        headers.setdefault(name.lower(), str(value))
    return headers


def _parse(msg: Message, raw: bytes, errors: list[str]) -> ParsedEmail:
    headers = _raw_headers(msg)
    message_ids = _message_ids(headers.get("message-id"))
    if not message_ids:
        errors.append("no usable Message-ID; synthesised one from the content")
    message_id = message_ids[0] if message_ids else _synthetic_id(raw)
    from_name, from_address, from_ambiguous = _sender(headers.get("from"), errors)
    if not from_address:
        errors.append("missing or unparseable From")
    # Collapse only folding whitespace: a French "Re\u00a0:" keeps its no-break space.
    subject = re.sub(r"[ \t\r\n]+", " ", decode_header_value(headers.get("subject"), errors, "Subject")).strip()

    body = _Body()
    _Walker(errors, _first_charset(msg)).walk(msg, body)
    # Decoding payloads is what registers transfer-encoding defects, so collect them only now.
    errors[:0] = _defects(msg)
    text = "\n\n".join(t.strip("\n") for t in body.texts if t.strip())
    forwarded = bool(_FORWARD_SUBJECT.match(subject))
    reply = split_reply(text, forwarded=forwarded)
    html, quoted_html, signature_html = _html_parts("\n".join(body.htmls), forwarded, reply.quote_only)

    complaint = parse_complaint(msg)
    bounce = None if complaint else parse_bounce(msg, text, sender=from_address, subject=subject)
    auto_reason = None if bounce or complaint else auto_reply_reason(msg, subject)
    auto_reason = printable(auto_reason) if auto_reason else None
    in_reply_to = _message_ids(headers.get("in-reply-to"))
    return ParsedEmail(
        message_id=message_id,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=_message_ids(headers.get("references")),
        subject=subject,
        from_name=from_name,
        from_address=from_address,
        to=_addresses(headers.get("to"), errors, "To"),
        cc=_addresses(headers.get("cc"), errors, "Cc"),
        reply_to=_addresses(headers.get("reply-to"), errors, "Reply-To"),
        date=_parse_date(headers.get("date"), errors),
        text=text,
        html=html,
        new_text=reply.new_text,
        quoted_text=reply.quoted_text,
        signature=reply.signature,
        attachments=body.attachments,
        is_auto_reply=auto_reason is not None,
        auto_reply_reason=auto_reason,
        is_bounce=bounce is not None,
        bounce=bounce,
        headers={
            name: printable(unfold(headers[name.lower()]))[:2000]
            for name in _DEBUG_HEADERS
            if name.lower() in headers
        },
        parse_errors=list(dict.fromkeys(printable(error) for error in errors)),
        quoted_html=quoted_html,
        signature_html=signature_html,
        is_forward=reply.is_forward,
        auto_reply_kind=auto_reply_kind(auto_reason) if auto_reason else "",
        complaint=complaint,
        from_ambiguous=from_ambiguous,
        authentication_failures=authentication_failures(headers.get("authentication-results")),
    )


def _first_charset(msg: Message) -> str | None:
    """Return the first charset the message declares, the best guess for its unlabelled 8-bit header bytes."""
    for part in msg.walk():
        charset = part.get_content_charset()
        if charset:
            return charset
    return None


def _html_parts(html: str, forwarded: bool, quote_only: bool) -> tuple[str, str, str]:
    """Return the sanitised HTML the sender wrote, its quoted history and its folded signature."""
    if not html.strip():
        return "", "", ""
    cut = split_html(html, forwarded=forwarded)
    visible = sanitize_html(cut.visible)
    # Nothing readable left above the quote: the workspace shows the plain-text note instead.
    if quote_only or not (cut.parts.new_text.strip() or "<img" in visible):
        visible = ""
    return visible, sanitize_html(cut.quoted), sanitize_html(cut.signature)
