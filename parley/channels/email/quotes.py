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


_EMAIL = r"[^<>()\[\]\s:]+@[^<>()\[\]\s:]+"
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
            # Gmail in German and Dutch puts the sender first: "Some One <x@y> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:".
            r"^.{1,200}?\s(?:schrieb am|schreef op|a écrit le|wrote on)\s.{1,120}:$",
            # Thunderbird in Polish and Russian: "W dniu 23.11.2026 o 10:05, Jan pisze:", "23.11.2026 10:05, Ivan пишет:".
            r"^W dniu\s.{1,200}\spisze\s?:$",
            # Gmail in Hungarian: "Parley Support <s@x> ezt írta (időpont: 2026. nov. 23., H, 10:05):".
            r"^.{1,200}\sezt írta\s?\(.{1,80}\)\s?:$",
            # Date-first headers (Gmail in several locales, Yandex, Mail.ru) that name no verb at all:
            # "2016-03-03 17:21 GMT+01:00 Some One <x@y>:", "Понедельник, 23 ноября 2026, 10:05 +03:00 от Ivan <x@y>:".
            rf"^.{{0,200}}\b\d{{1,2}}:\d{{2}}\b.{{0,200}}[<(\[](?:mailto:)?{_EMAIL}[>)\]]\s?[:：]$",
            rf"^\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b.{{0,200}}{_EMAIL}.{{0,20}}[:：]$",
        ]
    ),
    _FLAGS,
)
# Bare "Name wrote:" lines are only trusted when '>'-quoted lines follow them, or when they carry a
# date and time or an address, which prose ending in "wrote:" hardly ever does.
_WEAK_ATTRIBUTION = re.compile(
    r"^.{1,300}?(?:\bwrote|\bschrieb|a [ée]crit|escribió|escreveu|\bschreef|ha scritto|\bskrev|\bnapisał(?:a|\(a\))?"
    r"|\bpisze|написал(?:а|\(а\))?|\bпишет|написав(?:ла)?|\bkirjoitti|\bírta|\byazdı|\bnapsal(?:a|\(a\))?"
    r"|\bgeschreven|\bέγραψε|\bwrote on .{1,80}|のメール|さんは書きました|書きました|写道|寫道|님이 작성)\s?[:：]$",
    _FLAGS,
)
# "As Bob wrote at 10:30:" is prose; a year next to the time makes it a client's header.
_PROMOTES_WEAK = re.compile(rf"{_EMAIL}|\b(?:19|20)\d\d\b.*\b\d{{1,2}}[:.]\d{{2}}\b|\b\d{{1,2}}:\d{{2}}\b.*\b(?:19|20)\d\d\b")
_WRAPPED_ABBREVIATION = re.compile(r"(?:\d|\b\w{1,4})\.$")
_VERBS = r"wrote|schrieb|a écrit|escribió|escreveu|schreef|ha scritto|skrev|napisał\(a\)|написал\(а\)"
_SEPARATOR = re.compile(
    rf"(?:{GENERIC_MAIL_SEPARATOR})"
    r"|^[\s*_=\-]*[-=_]{2,}\s*\*?\s*(?:Original Message|Original Mail|Ursprüngliche Nachricht|Originalnachricht"
    r"|Message d'origine|Message original|Mensaje original|Oorspronkelijk bericht|Origineel bericht"
    r"|Mensagem original|Messaggio originale|Ursprungligt meddelande|Oprindelig meddelelse|Opprinnelig melding"
    r"|Alkuperäinen viesti|Wiadomość oryginalna|Oryginalna wiadomość|Исходное сообщение|Původní zpráva"
    r"|Orijinal Mesaj|Eredeti üzenet|原始邮件|原始郵件|元のメッセージ|원본 메시지)\s*\*?\s*[-=_]{2,}[\s*_=\-]*$"
    # Zoho: "---- On Mon, 23 Nov 2026 10:05:00 +0100 Support <s@x> wrote ----".
    rf"|^-{{2,}}\s?\S.{{1,300}}\s(?:{_VERBS})\s?-{{2,}}$",
    _FLAGS,
)
_FORWARD = re.compile(
    r"^(?:[-=]{3,}\s?(?:Forwarded message|Forwarded mail|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado"
    r"|Doorgestuurd bericht|Mensagem encaminhada|Messaggio inoltrato|Vidarebefordrat meddelande"
    r"|Videresendt meddelelse|Przekazana wiadomość|Wiadomość przekazana|Пересылаемое сообщение"
    r"|Перенаправленное сообщение|Přeposlaná zpráva|İletilmiş mesaj|Välitetty viesti|Továbbított üzenet"
    r"|转发的邮件|轉寄的郵件|転送されたメッセージ|전달된 메시지)\s?[-=]{3,}"
    r"|Begin forwarded message:|Anfang der weitergeleiteten Nachricht:|Début du message réexpédié\s?:"
    r"|Inicio del mensaje reenviado:|Begin doorgestuurd bericht:|Início da mensagem reencaminhada:"
    r"|Inizio messaggio inoltrato:|Начало переадресованного сообщения:|Początek przekazywanej wiadomości:)$",
    _FLAGS,
)
_FROM_FIELD = re.compile(
    r"^\*?(?:From|Von|De|Van|Da|Från|Fra|Od|От|Від|Kimden|Lähettäjä|Feladó|Afzender|Remetente|Mittente"
    r"|差出人|发件人|寄件者|發件人|보낸 사람)\s?\*?\s?[:：]\s?\*?\s*\S",
    re.IGNORECASE,
)
_OTHER_FIELD = re.compile(
    r"^\*?(?:Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Envoyé|Envoyé le|À|Objet|Enviado|Enviada|Fecha|Para"
    r"|Asunto|Assunto|Data|Verzonden|Aan|Onderwerp|Inviato|A|Oggetto|Skickat|Till|Ämne|Sendt|Til|Emne"
    r"|Wysłano|Wysłane|Do|Temat|DW|Отправлено|Дата|Кому|Копия|Тема|Надіслано|Gönderildi|Tarih|Kime|Konu"
    r"|Lähetetty|Vastaanottaja|Aihe|Elküldve|Címzett|Tárgy|Odesláno|Komu|Předmět"
    r"|送信日時|宛先|件名|日付|发送时间|收件人|主题|日期|抄送|寄件日期|收件者|主旨|보낸 날짜|받는 사람|제목)\s?\*?\s?[:：]",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[_\-=]{4,}$")
_LINK = r"(?:\s*<https?://[^>\s]+>)?"
_MOBILE = re.compile(
    "|".join(
        [rf"^(?:{p})\b.{{0,60}}{_LINK}$" for p in _library_patterns("sent_from")]
        + [
            r"^(?:Sent from|Sent via|Sent with|Sent using|Get Outlook for|Gesendet von|Von meinem .{1,40} gesendet"
            r"|Gesendet mit|Envoyé de|Envoyé depuis|Envoyé avec|Obtenir Outlook pour|Enviado desde|Enviado do|Enviado de"
            r"|Enviado con|Enviado com|Obtener Outlook para|Inviato da|Inviato dal|Verzonden vanaf|Verstuurd vanaf"
            r"|Verzonden met|Skickat från|Sendt fra|Lähetetty|Wysłane z|Wysłano z|Отправлено с|Отправлено из"
            r"|Надіслано з|Odesláno z|Odoslané z|Στάλθηκε από|Trimis de pe|Poslano s)\b.{0,60}" + _LINK + "$",
            r"^.{1,40}(?:から送信|에서 보냄|'(?:umdan|imden|ümden|undan) gönderildi)" + _LINK + "$",
            r"^(?:从我的|發自我的|发自我的|来自我的).{1,30}$",
        ]
    ),
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    "|".join(
        [rf"^(?:{p.rstrip(',')})[\s,.!]*$" for p in _library_patterns("signatures")]
        + [
            r"^(?:Thanks|Thank you|Many thanks|Thanks again|Thx|Cheers|Regards|Best|Best wishes|Warm regards"
            r"|Kind regards|Best regards|Sincerely|Yours|Viele Grüße|Beste Grüße|Liebe Grüße|Danke|LG|VG|MfG"
            r"|Mit freundlichen Grüßen|Merci|Bien à vous|Cordialement|Bien cordialement|Saludos|Un saludo|Gracias"
            r"|Groeten|Met vriendelijke groeten?|Groetjes|Atenciosamente|Obrigad[oa]|Cumprimentos|Abraços?|Saluti"
            r"|Cordiali saluti|Grazie|Pozdrawiam|Z poważaniem|Dziękuję|С уважением|Спасибо|Med vänlig hälsning"
            r"|Hälsningar|Mvh|Med venlig hilsen|Ystävällisin terveisin|Saygılarımla|S pozdravem|Üdvözlettel)[\s,.!]*$",
            r"^(?:よろしくお願い(?:いた)?します|以上)[。.！!]*$",
        ]
    ),
    re.IGNORECASE,
)
# A name under a sign-off: a few words, no sentence.
_NAME = re.compile(r"^[^\s.!?:;,][^.!?:;]{0,40}$")
_POSTSCRIPT = re.compile(r"^P\.?\s?S\b", re.IGNORECASE)
_URL = re.compile(r"\s*<https?://[^>\s]+>")
# Gmail's tracking pixel leaves U+1427 behind; zero-width spaces and BOMs come from copy and paste.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u180e]|(?<![\u1400-\u167f])\u1427(?![\u1400-\u167f])")
_MAX_SIGN_OFF_TAIL = 14
_MAX_DASHDASH_TAIL = 30


@dataclass(frozen=True)
class ReplyParts:
    """The visible reply, what was stripped from it, and its signature.

    `signature_line` and `quote_line` index the input lines where the folded signature and the
    trailing quoted history start (None when there is none, or when the quote is interleaved
    with new text), so a caller holding the source of each line can cut HTML at the same place.
    """

    new_text: str
    quoted_text: str
    signature: str | None
    is_forward: bool = False
    signature_line: int | None = None
    quote_line: int | None = None

    @property
    def quote_only(self) -> bool:
        """Tell whether the sender wrote nothing new above the quote."""
        return not self.new_text and bool(self.quoted_text)


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution(lines: list[str], i: int) -> tuple[int, bool]:
    """Return (lines spanned, strong) for an attribution line starting at `i`, or (0, False)."""
    for span in (1, 2, 3):
        segment = lines[i:i + span]
        if len(segment) < span or not all(line.strip() for line in segment) or any(map(_is_quoted, segment)):
            break
        # A finished sentence is prose, not the first half of a wrapped "On ... wrote:" line; "28." or
        # "Apr." in a wrapped date is not.
        previous = segment[-2].rstrip() if span > 1 else ""
        if previous.endswith(("!", "?")) or (previous.endswith(".") and not _WRAPPED_ABBREVIATION.search(previous)):
            break
        candidate = re.sub(r"([<(\[])\s+", r"\1", " ".join(line.strip() for line in segment))
        if len(candidate) > 400:
            break
        if not candidate.endswith((":", "：")) and not _SEPARATOR.match(candidate):
            continue
        if _STRONG_ATTRIBUTION.match(candidate) or (span > 1 and _SEPARATOR.match(candidate)):
            return span, True
        # Joining lines lets any prose before a bare "X wrote:" pass as part of it, so only one line counts.
        if span == 1 and _WEAK_ATTRIBUTION.match(candidate):
            return span, bool(_PROMOTES_WEAK.search(candidate))
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


def _signature_start(lines: list[str], kept: list[int]) -> int | None:
    """Return the index of the line where the foldable signature starts among the `kept` line indexes.

    A short sign-off and the name under it are what the customer wrote and stay visible; what
    follows them (title, phone, address), a "-- " block or a "Sent from my phone" line is folded.
    """
    content = [i for i in kept if lines[i].strip()]
    # Count, from the end, the lines after each line that a fold would hide from a postscript, so the scan
    # stays linear on long mails.
    postscript_after = [False] * len(content)
    seen = False
    for position in range(len(content) - 1, -1, -1):
        postscript_after[position] = seen
        seen = seen or bool(_POSTSCRIPT.match(lines[content[position]].strip()))
    for position, index in enumerate(content):
        if position == 0:
            continue
        after = len(content) - 1 - position
        stripped = lines[index].strip()
        # Lines arrive right-stripped, so the RFC 3676 "-- " delimiter shows up as "--".
        if (stripped == "--" and after <= _MAX_DASHDASH_TAIL) or (after <= 2 and _MOBILE.match(_URL.sub("", stripped))):
            return index
        if after <= _MAX_SIGN_OFF_TAIL and _SIGN_OFF.match(stripped):
            # Only a sign-off followed by a name ends the text; "Thanks!" can just as well open a paragraph.
            if after < 2 or not _NAME.match(lines[content[position + 1]].strip()) or postscript_after[position + 1]:
                return None
            return content[position + 2]
    return None


def clean_lines(text: str) -> list[str]:
    """Split `text` into lines without trailing blanks or invisible tracking characters."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [line.rstrip() for line in text.split("\n")]


def _tidy(lines: list[str]) -> str:
    # Blank lines inside the text are the customer's; only those around it go.
    return "\n".join(lines).strip("\n")


def split_reply(text: str, *, forwarded: bool = False) -> ReplyParts:
    """Split `text` into new content, quoted history and signature; keep forwarded content whole."""
    return split_lines(clean_lines(text), forwarded=forwarded)


def split_lines(lines: list[str], *, forwarded: bool = False) -> ReplyParts:
    """Split cleaned lines (see clean_lines) into new content, quoted history and signature."""
    if forwarded:
        return ReplyParts(_tidy(lines), "", None, is_forward=True)
    kept: list[int] = []
    quoted: list[int] = []
    is_forward = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FORWARD.match(line.strip()):
            # Whatever follows a forward marker is the content being handed over, not history.
            kept.extend(range(index, len(lines)))
            is_forward = True
            break
        if _is_quoted(line):
            quoted.append(index)
            index += 1
            continue
        span, strong = _attribution(lines, index)
        if span:
            following = _next_content(lines, index + span)
            if following is not None and _is_quoted(lines[following]):
                quoted.extend(range(index, index + span))
                index += span
                continue
            if strong:
                quoted.extend(range(index, len(lines)))
                break
        if _starts_header_block(lines, index):
            # Outlook draws a rule of underscores just above its header block.
            while kept and (not lines[kept[-1]].strip() or _RULE.match(lines[kept[-1]].strip())):
                quoted.append(kept.pop())
            quoted.sort()
            quoted.extend(range(index, len(lines)))
            break
        kept.append(index)
        index += 1
    last_kept = max((i for i in kept if lines[i].strip()), default=-1)
    first_quoted = min(quoted, default=None)
    tail = first_quoted is not None and first_quoted > last_kept
    signature_line = _signature_start(lines, kept)
    body = [lines[i] for i in kept if signature_line is None or i < signature_line]
    signature = [lines[i] for i in kept if signature_line is not None and i >= signature_line]
    return ReplyParts(
        new_text=_tidy(body),
        # A trailing quote keeps its inner blank lines; an interleaved one is only its quoted lines.
        quoted_text=_tidy(lines[first_quoted:] if tail else [lines[i] for i in quoted]),
        signature=_tidy(signature) or None,
        is_forward=is_forward,
        signature_line=signature_line,
        quote_line=first_quoted if tail else None,
    )
