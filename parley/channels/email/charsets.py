"""Decode mail bytes and headers whatever charset they claim, or fail to claim."""
from __future__ import annotations

import codecs
import re
from email.header import decode_header

from charset_normalizer import from_bytes

# Labels mail clients use for encodings Python names differently, or for which a superset decodes more mail.
_ALIASES: dict[str, tuple[str, ...]] = {
    "iso-8859-1": ("cp1252", "latin-1"),
    "latin1": ("cp1252", "latin-1"),
    "iso_8859-1": ("cp1252", "latin-1"),
    "us-ascii": ("ascii",),
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "x-gbk": ("gb18030",),
    "euc-cn": ("gb18030",),
    "ks_c_5601-1987": ("cp949",),
    "euc-kr": ("cp949",),
    "shift_jis": ("cp932", "shift_jis_2004"),
    "shift-jis": ("cp932", "shift_jis_2004"),
    "x-sjis": ("cp932",),
    "iso-2022-jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2"),
    "iso-8859-8-i": ("iso8859_8",),
    "windows-874": ("cp874",),
    "unicode-1-1-utf-8": ("utf-8",),
    "utf8": ("utf-8",),
}
# Detection only weighs encodings seen in real mail; trying all ~100 Python codecs costs ~8 ms a call.
_DETECTABLE = [
    "cp1252", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "koi8_u", "cp1253", "cp1254", "cp1255",
    "cp1256", "cp1257", "cp874", "mac_roman", "cp932", "euc_jp", "iso2022_jp", "gb18030", "big5", "cp949", "utf_8",
]
_UNLABELLED = {"", "unknown-8bit", "x-unknown", "unknown", "8bit", "default", "none", "x-user-defined"}
_NOT_FOR_MAIL = {"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode"}
# Labels whose bytes can be valid UTF-8 by design: UTF-16/32 text of Latin letters is mostly NULs and ASCII.
_WIDE = re.compile(r"^utf-(?:16|32)")


def _codecs_for(charset: str | None, errors: list[str], where: str) -> list[str]:
    """Return the Python codecs to try, in order, for a declared charset label."""
    label = (charset or "").strip().strip("\"'").lower()
    if label in _UNLABELLED:
        return []
    names = []
    for candidate in _ALIASES.get(label, (label,)):
        try:
            info = codecs.lookup(candidate)
        except (LookupError, ValueError, TypeError):
            continue
        # Bytes-to-bytes codecs such as "base64" or "zlib" are not charsets, whatever a header claims.
        if getattr(info, "_is_text_encoding", True) and info.name not in _NOT_FOR_MAIL:
            names.append(info.name)
    if not names:
        errors.append(f"{where}: unknown charset {label!r}")
    return names


def decode_bytes(data: bytes, charset: str | None, errors: list[str], where: str = "body") -> str:
    """Decode `data` labelled with `charset`, falling back to UTF-8, detection and cp1252 in that order."""
    # PostgreSQL text columns cannot hold NUL, and no mail means one.
    return _decode(data, charset, errors, where).replace("\x00", "")


def _decode(data: bytes, charset: str | None, errors: list[str], where: str) -> str:
    names = _codecs_for(charset, errors, where)
    if not data.isascii():
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            utf8 = None
        # Real UTF-8 is almost never valid in a legacy encoding, single- or multi-byte, so a body labelled
        # GB2312 or Big5 (or anything else) that decodes as strict UTF-8 was mislabelled.
        if utf8 is not None and not (names and _WIDE.match(names[0])):
            if names and names[0] != "utf-8":
                errors.append(f"{where}: labelled {charset!r} but is UTF-8")
            return utf8
    for name in names:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    if data.isascii():
        return data.decode("ascii")
    if names:
        errors.append(f"{where}: bytes are not valid {charset!r}")
        lenient = data.decode(names[0], "replace")
        # A handful of bad bytes in otherwise fine text: keep the label rather than trust a guess.
        if lenient.count("\ufffd") <= max(2, len(lenient) // 200):
            return lenient
    best = from_bytes(data, cp_isolation=_DETECTABLE).best()
    if best is not None and best.encoding:
        if not names:
            errors.append(f"{where}: 8-bit text without charset, guessed {best.encoding}")
        return str(best)
    return data.decode("cp1252", "replace")


def unfold(value: str) -> str:
    """Join a folded header value onto one line."""
    return re.sub(r"\r?\n[ \t]*", " ", value).strip()


def to_bytes(value: str) -> bytes:
    """Recover the wire bytes the email package smuggled into `value` as surrogates."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace")


def printable(value: str) -> str:
    """Make `value` safe to store: no lone surrogates or NUL, invalid bytes shown as U+FFFD."""
    return to_bytes(value).decode("utf-8", "replace").replace("\x00", "")


def real_text(value: str, errors: list[str], where: str) -> str:
    """Turn surrogate-escaped 8-bit header bytes back into text."""
    if value.isascii():
        return value.replace("\x00", "")
    return decode_bytes(to_bytes(value), None, errors, where)


def decode_header_value(value: str | None, errors: list[str], where: str = "header") -> str:
    """Decode a raw header value with RFC 2047 encoded words and stray 8-bit bytes."""
    if not value:
        return ""
    text = real_text(unfold(str(value)), errors, where)
    if "=?" not in text:
        return text
    try:
        chunks = decode_header(text)
    except Exception as exc:  # the email package raises several types on malformed encoded words
        errors.append(f"{where}: bad encoded word ({exc})")
        return text
    decoded = []
    for data, charset in chunks:
        if isinstance(data, str):
            decoded.append(data)
        elif charset is None:
            # decode_header hands back unencoded runs as raw-unicode-escape bytes.
            decoded.append(data.decode("raw-unicode-escape", "replace"))
        else:
            decoded.append(decode_bytes(data, charset, errors, where))
    return "".join(decoded)
