"""What a channel can carry: HTML or text, length, attachments, a reply window, typing and read receipts.

Each adapter declares one frozen `Capabilities` value. `message_reply` asks it what a reply
cannot carry before anything is queued, and the composer shows it to the agent, so a limit
is stated once, by the channel that has it.
"""
from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

# GSM 03.38: the basic set takes one septet, the extension set two (an escape and the character).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """Return how many SMS segments `text` needs (GSM-7: 160, or 153 when split; else UCS-2: 70, or 67)."""
    if not text:
        return 0
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        septets = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    # UCS-2 counts UTF-16 code units: a character outside the BMP (most emoji) takes two.
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


@dataclass(frozen=True)
class AttachmentRules:
    """Which files a channel carries: content types ("image/*" patterns; empty means any), size and count."""

    types: tuple[str, ...] = ()
    #: Per file, in bytes; None means the site's limit (PARLEY_MAX_ATTACHMENT_BYTES).
    max_bytes: int | None = None
    max_count: int | None = None

    @property
    def byte_limit(self) -> int:
        site = settings.PARLEY_MAX_ATTACHMENT_BYTES
        return min(self.max_bytes, site) if self.max_bytes else site

    def allows_type(self, content_type: str) -> bool:
        return not self.types or any(fnmatch.fnmatch((content_type or "").lower(), t) for t in self.types)


@dataclass(frozen=True)
class Capabilities:
    """What one channel carries; the defaults describe a plain-text channel without attachments."""

    html: bool = False
    #: Characters of text per message.
    max_length: int | None = None
    #: SMS segments per message (see `sms_segments`).
    max_segments: int | None = None
    #: None when the channel carries no files.
    attachments: AttachmentRules | None = None
    #: How long after the customer's last message free-form replies are allowed (WhatsApp: 24 hours);
    #: outside it only approved templates may be sent.
    reply_window: timedelta | None = None
    typing: bool = False
    read_receipts: bool = False
    #: Whether a reply can be copied to more addresses the agent types (Cc and Bcc on email).
    copies: bool = False
    #: Extra words the composer shows, e.g. "replies by email with a link to the help center".
    note: str = field(default="", compare=False)

    @property
    def reply_window_hours(self) -> int | None:
        return None if self.reply_window is None else round(self.reply_window.total_seconds() / 3600)

    def window_open(self, *, last_inbound_at: datetime | None, now: datetime) -> bool:
        """Tell whether a free-form reply is allowed now (always, on a channel without a reply window)."""
        if self.reply_window is None:
            return True
        return last_inbound_at is not None and now - last_inbound_at <= self.reply_window

    def refusals(self, *, text: str, html: str = "", attachments=(), last_inbound_at: datetime | None = None,
                 now: datetime, copies: bool = False) -> dict[str, str]:
        """Return field -> what this channel cannot carry in a reply (empty when it can carry all of it)."""
        problems: dict[str, str] = {}
        if copies and not self.copies:
            problems["cc"] = gettext("this channel cannot copy a reply to other addresses")
        if not self.window_open(last_inbound_at=last_inbound_at, now=now):
            problems["text"] = gettext("the %(hours)s-hour reply window after the customer's last message has closed; "
                                       "only a template message can be sent now") % {"hours": self.reply_window_hours}
        elif self.max_length is not None and len(text) > self.max_length:
            problems["text"] = gettext("%(count)s characters; at most %(max)s fit in one message") % {
                "count": len(text), "max": self.max_length}
        elif self.max_segments is not None and sms_segments(text) > self.max_segments:
            problems["text"] = gettext("%(count)s SMS segments; at most %(max)s fit in one message") % {
                "count": sms_segments(text), "max": self.max_segments}
        if html and not self.html:
            problems["html"] = gettext("this channel sends plain text only; send the reply as text")
        if attachments:
            problems.update(self._attachment_refusals(attachments))
        return problems

    def _attachment_refusals(self, attachments) -> dict[str, str]:
        rules = self.attachments
        if rules is None:
            return {"attachments": gettext("this channel carries no attachments")}
        if rules.max_count is not None and len(attachments) > rules.max_count:
            return {"attachments": gettext("%(count)s files; at most %(max)s per message") % {
                "count": len(attachments), "max": rules.max_count}}
        for attachment in attachments:
            if not rules.allows_type(attachment.content_type):
                return {"attachments": gettext("%(file)s: %(type)s is not carried (allowed: %(allowed)s)") % {
                    "file": attachment.filename, "type": attachment.content_type or gettext("this type"),
                    "allowed": ", ".join(rules.types)}}
            if len(attachment.content) > rules.byte_limit:
                return {"attachments": gettext("%(file)s: larger than %(size)s") % {
                    "file": attachment.filename, "size": filesizeformat(rules.byte_limit)}}
        return {}

    def summary(self) -> list[str]:
        """Return short phrases for the composer: "HTML", "attachments up to 25 MB", "160 characters" …"""
        parts = ["HTML" if self.html else gettext("text only")]
        if self.max_length is not None:
            parts.append(gettext("up to %(count)s characters") % {"count": self.max_length})
        if self.max_segments is not None:
            parts.append(gettext("up to %(count)s SMS segments") % {"count": self.max_segments})
        rules = self.attachments
        if rules is None:
            parts.append(gettext("no attachments"))
        else:
            kinds = f" ({', '.join(rules.types)})" if rules.types else ""
            size = filesizeformat(rules.byte_limit)
            if rules.max_count == 1:
                parts.append(gettext("1 attachment%(kinds)s up to %(size)s") % {"kinds": kinds, "size": size})
            elif rules.max_count:
                parts.append(gettext("up to %(count)s attachments%(kinds)s, %(size)s each")
                             % {"count": rules.max_count, "kinds": kinds, "size": size})
            else:
                parts.append(gettext("attachments%(kinds)s up to %(size)s") % {"kinds": kinds, "size": size})
        if self.reply_window is not None:
            parts.append(gettext("replies within %(hours)s h of the customer's last message") % {"hours": self.reply_window_hours})
        if self.typing:
            parts.append(gettext("typing indicator"))
        if self.read_receipts:
            parts.append(gettext("read receipts"))
        if self.note:
            parts.append(gettext(self.note))
        return parts
