"""Split a plain-text reply into the new message, the quoted history and the signature."""
from __future__ import annotations

import re
from dataclasses import dataclass

from mailparser_reply.constants import GENERIC_MAIL_SEPARATOR, MAIL_LANGUAGES

# Polish is left out: its header pattern fires on a single "Do:" or "Data:" line, common in normal prose.
_LANGUAGES = ("en", "de", "fr", "es", "nl", "it", "ja", "sv", "da")
_FLAGS = re.IGNORECASE | re.MULTILINE


def _library_patterns(key: str) -> list[str]:
    found = []
    for language in _LANGUAGES:
        value = MAIL_LANGUAGES.get(language, {}).get(key)
        if value:
            found.extend(value if isinstance(value, list) else [value])
    return found


# mail-parser-reply's Spanish pattern needs two blanks before "escribió", Dutch Gmail puts the sender
# after "schreef", and it has no Portuguese at all.
_STRONG_ATTRIBUTION = re.compile(
    "|".join(
        [f"(?:{p})" for p in _library_patterns("wrote_header")]
        + [
            r"^El\s.+?\sescribió\s?:$",
            r"^Em\s.+?\sescreveu\s?:$",
            r"^Op\s.+?\sschreef\s.+?:$",
            r"^Le\s.+?\sa\s[ée]crit\s?:$",
        ]
    ),
    _FLAGS,
)
# Bare "Name wrote:" lines are only trusted when '>'-quoted lines follow them.
_WEAK_ATTRIBUTION = re.compile(
    r"^.{1,300}?(?:\bwrote|\bschrieb|a [ée]crit|escribió|escreveu|\bschreef|ha scritto|\bskrev|のメール|さんは書きました"
    r"|書きました)\s?[:：]$",
    _FLAGS,
)
_SEPARATOR = re.compile(
    rf"(?:{GENERIC_MAIL_SEPARATOR})|^-{{3,}}\s?(?:Original Message|Ursprüngliche Nachricht|Originalnachricht"
    r"|Message d'origine|Message original|Mensaje original|Oorspronkelijk bericht|Origineel bericht"
    r"|Mensagem original|Messaggio originale|Ursprungligt meddelande|Oprindelig meddelelse|元のメッセージ)\s?-{3,}$",
    _FLAGS,
)
_FORWARD = re.compile(
    r"^(?:-{3,}\s?(?:Forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado"
    r"|Doorgestuurd bericht|Mensagem encaminhada|Messaggio inoltrato|転送されたメッセージ)\s?-{3,}"
    r"|Begin forwarded message:|Anfang der weitergeleiteten Nachricht:|Début du message réexpédié\s?:"
    r"|Inicio del mensaje reenviado:|Begin doorgestuurd bericht:|Início da mensagem reencaminhada:)$",
    _FLAGS,
)
_FROM_FIELD = re.compile(
    r"^\*?(?:From|Von|De|Van|Da|Från|Fra|Od|差出人|发件人)\s?\*?\s?[:：]\s?\*?\s*\S", re.IGNORECASE
)
_OTHER_FIELD = re.compile(
    r"^\*?(?:Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Envoyé|À|Objet|Enviado|Enviada|Fecha|Para"
    r"|Asunto|Assunto|Data|Verzonden|Aan|Onderwerp|Inviato|A|Oggetto|Skickat|Till|Ämne|Sendt|Til|Emne"
    r"|送信日時|宛先|件名|日付)\s?\*?\s?[:：]",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[_\-=]{4,}$")
_MOBILE = re.compile(
    "|".join(
        [rf"^(?:{p})\b.{{0,60}}$" for p in _library_patterns("sent_from")]
        + [
            r"^(?:Gesendet von meinem|Von meinem .{1,40} gesendet|Envoyé de mon|Enviado do meu|Enviado de meu"
            r"|Enviado desde|Sent via|Sent with|Get Outlook for)\b.{0,60}$",
            r"^.{1,30}から送信$",
        ]
    ),
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    "|".join(
        [rf"^(?:{p.rstrip(',')})[\s,.!]*$" for p in _library_patterns("signatures")]
        + [
            r"^(?:Thanks|Thank you|Many thanks|Thanks again|Cheers|Regards|Best|Best wishes|Warm regards"
            r"|Kind regards|Sincerely|Yours|Viele Grüße|Beste Grüße|Danke|LG|VG|MfG|Merci|Bien à vous"
            r"|Bien cordialement|Saludos|Un saludo|Gracias|Groeten|Met vriendelijke groeten?|Groetjes"
            r"|Atenciosamente|Obrigad[oa]|Cumprimentos|Abraços?|Saluti|Grazie|Pozdrawiam|Z poważaniem"
            r"|С уважением|Спасибо)[\s,.!]*$",
            r"^(?:よろしくお願い(?:いた)?します|以上)[。.！!]*$",
        ]
    ),
    re.IGNORECASE,
)
_MAX_SIGN_OFF_TAIL = 6
_MAX_DASHDASH_TAIL = 30


@dataclass(frozen=True)
class ReplyParts:
    """The visible reply, what was stripped from it, and its signature."""

    new_text: str
    quoted_text: str
    signature: str | None


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution(lines: list[str], i: int) -> tuple[int, bool]:
    """Return (lines spanned, strong) for an attribution line starting at `i`, or (0, False)."""
    for span in (1, 2, 3):
        segment = lines[i:i + span]
        if len(segment) < span or not all(line.strip() for line in segment) or any(map(_is_quoted, segment)):
            break
        # A finished sentence is prose, not the first half of a wrapped "On ... wrote:" line.
        if span > 1 and segment[-2].rstrip().endswith((".", "!", "?")):
            break
        candidate = " ".join(line.strip() for line in segment)
        if len(candidate) > 400:
            break
        if not candidate.endswith((":", "：")):
            continue
        if _STRONG_ATTRIBUTION.match(candidate):
            return span, True
        # Joining lines lets any prose before a bare "X wrote:" pass as part of it, so only one line counts.
        if span == 1 and _WEAK_ATTRIBUTION.match(candidate):
            return span, False
    return 0, False


def _starts_header_block(lines: list[str], i: int) -> bool:
    """Tell whether an Outlook-style "From: / Sent: / To:" block or an "Original Message" rule starts at `i`."""
    line = lines[i].strip()
    if _SEPARATOR.match(line):
        return True
    if not _FROM_FIELD.match(line):
        return False
    following = [candidate.strip() for candidate in lines[i + 1:i + 8] if candidate.strip()][:6]
    return sum(1 for candidate in following if _OTHER_FIELD.match(candidate)) >= 2


def _next_content(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def _split_signature(kept: list[str]) -> tuple[list[str], list[str] | None]:
    # Count, from the end, the non-blank lines after each line and the longest of them, so the
    # scan stays linear on long mails.
    after, longest = [0] * len(kept), [0] * len(kept)
    count = width = 0
    for index in range(len(kept) - 1, -1, -1):
        after[index], longest[index] = count, width
        if kept[index].strip():
            count += 1
            width = max(width, len(kept[index].strip()))
    seen_body = False
    for index, line in enumerate(kept):
        stripped = line.strip()
        # Lines arrive right-stripped, so the RFC 3676 "-- " delimiter shows up as "--".
        if seen_body and (
            (stripped == "--" and after[index] <= _MAX_DASHDASH_TAIL)
            or (after[index] <= 2 and _MOBILE.match(stripped))
            or (after[index] <= _MAX_SIGN_OFF_TAIL and longest[index] <= 80 and _SIGN_OFF.match(stripped))
        ):
            return kept[:index], kept[index:]
        seen_body = seen_body or bool(stripped)
    return kept, None


def _tidy(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n").rstrip()


def split_reply(text: str, *, forwarded: bool = False) -> ReplyParts:
    """Split `text` into new content, quoted history and signature; keep forwarded content whole."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if forwarded:
        return ReplyParts(_tidy(lines), "", None)
    kept: list[str] = []
    quoted: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FORWARD.match(line.strip()):
            # Whatever follows a forward marker is the content being handed over, not history.
            kept.extend(lines[index:])
            break
        if _is_quoted(line):
            quoted.append(line)
            index += 1
            continue
        span, strong = _attribution(lines, index)
        if span:
            following = _next_content(lines, index + span)
            if following is not None and _is_quoted(lines[following]):
                quoted.extend(lines[index:index + span])
                index += span
                continue
            if strong:
                quoted.extend(lines[index:])
                break
        if _starts_header_block(lines, index):
            # Outlook draws a rule of underscores just above its header block.
            rule: list[str] = []
            while kept and (not kept[-1].strip() or _RULE.match(kept[-1].strip())):
                removed = kept.pop()
                if removed.strip():
                    rule.insert(0, removed)
            quoted.extend(rule + lines[index:])
            break
        kept.append(line)
        index += 1
    body, signature = _split_signature(_tidy(kept).split("\n"))
    return ReplyParts(_tidy(body), _tidy(quoted), _tidy(signature) if signature else None)
