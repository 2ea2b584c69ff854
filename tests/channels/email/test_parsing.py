"""Check the e-mail parsing layer against a hand-written corpus and against hostile input."""
import email
import json
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.channels.email.autoreply import auto_reply_reason
from parley.channels.email.dsn import bounce_classify
from parley.channels.email.htmlbody import html_to_text, split_html
from parley.core.html import sanitize_html
from parley.channels.email.parsing import parse_email
from parley.channels.email.quotes import split_reply

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
CORPUS_FILES = sorted(path.name for path in CORPUS.glob("*.eml"))
STRING_FIELDS = ("message_id", "subject", "from_name", "from_address", "text", "html", "new_text", "quoted_text")


def _check_contains(haystack: str, needles: list[str], label: str) -> None:
    for needle in needles:
        assert needle in haystack, f"{label} lacks {needle!r}:\n{haystack}"


def _check_excludes(haystack: str, needles: list[str], label: str) -> None:
    for needle in needles:
        assert needle not in haystack, f"{label} should not contain {needle!r}:\n{haystack}"


def _check_attachments(parsed, expected: list[dict]) -> None:
    assert [a.filename for a in parsed.attachments] == [e["filename"] for e in expected]
    for attachment, want in zip(parsed.attachments, expected):
        assert attachment.content_type == want["content_type"]
        assert attachment.is_inline == want["is_inline"]
        if "content_id" in want:
            assert attachment.content_id == want["content_id"]
        if "size" in want:
            assert len(attachment.content) == want["size"]
        if "content_contains" in want:
            assert want["content_contains"].encode() in attachment.content


def _check_bounce(parsed, expected: dict) -> None:
    if "original_message_id" in expected:
        assert parsed.bounce.original_message_id == expected["original_message_id"]
    if "bounce_recipients" in expected:
        got = [[r.address, r.action, r.status] for r in parsed.bounce.recipients]
        assert got == expected["bounce_recipients"]
    if "bounce_diagnostic_contains" in expected:
        assert any(expected["bounce_diagnostic_contains"] in r.diagnostic for r in parsed.bounce.recipients)
        assert expected["bounce_diagnostic_contains"] in parsed.bounce.reason
    if "bounce_permanent" in expected:
        assert parsed.bounce.permanent is expected["bounce_permanent"]
    if "bounce_category" in expected:
        assert parsed.bounce.category == expected["bounce_category"], parsed.bounce
    if "bounce_kind" in expected:
        assert parsed.bounce.hard is (expected["bounce_kind"] == "hard"), parsed.bounce
    if "original_subject" in expected:
        assert parsed.bounce.original_subject == expected["original_subject"]
    if "original_to" in expected:
        assert parsed.bounce.original_to == expected["original_to"]


CHECKS = {
    "subject": lambda p, v: p.subject == v,
    "from_address": lambda p, v: p.from_address == v,
    "from_name": lambda p, v: p.from_name == v,
    "message_id": lambda p, v: p.message_id == v,
    "in_reply_to": lambda p, v: p.in_reply_to == v,
    "references": lambda p, v: p.references == v,
    "cc": lambda p, v: [list(pair) for pair in p.cc] == v,
    "date": lambda p, v: p.date == datetime.fromisoformat(v) if v else p.date is None,
    "new_text_equals": lambda p, v: p.new_text == v,
    "quoted_equals": lambda p, v: p.quoted_text == v,
    "is_auto_reply": lambda p, v: p.is_auto_reply is v,
    "auto_reply_reason_contains": lambda p, v: v in (p.auto_reply_reason or ""),
    "is_bounce": lambda p, v: p.is_bounce is v and (p.bounce is not None) is v,
    "parse_errors": lambda p, v: p.parse_errors == v,
    "parse_errors_nonempty": lambda p, v: bool(p.parse_errors) is v,
    "message_id_synthetic": lambda p, v: p.message_id.startswith("parley-synth-") is v,
    "is_forward": lambda p, v: p.is_forward is v,
    "quote_only": lambda p, v: p.quote_only is v,
    "auto_reply_kind": lambda p, v: p.auto_reply_kind == v,
    "is_complaint": lambda p, v: (p.complaint is not None) is v and (not v or not p.is_bounce and not p.is_auto_reply),
    "complaint_recipient": lambda p, v: p.complaint.recipient == v,
    "complaint_message_id": lambda p, v: p.complaint.original_message_id == v,
}
TEXT_CHECKS = {
    "new_text_contains": ("new_text", _check_contains),
    "new_text_excludes": ("new_text", _check_excludes),
    "quoted_contains": ("quoted_text", _check_contains),
    "text_contains": ("text", _check_contains),
    "text_excludes": ("text", _check_excludes),
    "html_contains": ("html", _check_contains),
    "html_excludes": ("html", _check_excludes),
    "quoted_html_contains": ("quoted_html", _check_contains),
    "signature_html_contains": ("signature_html", _check_contains),
}
BOUNCE_KEYS = {
    "original_message_id", "bounce_recipients", "bounce_diagnostic_contains", "bounce_permanent", "bounce_category",
    "bounce_kind", "original_subject", "original_to",
}


def test_every_corpus_file_has_expectations():
    assert CORPUS_FILES == sorted(EXPECTED)
    assert 90 <= len(CORPUS_FILES) <= 200
    # Every sidecar belongs to a mail, so a renamed sample cannot silently drop its check.
    assert {path.name.removesuffix(".expected.txt") + ".eml" for path in CORPUS.glob("*.expected.txt")} <= set(EXPECTED)


VISIBLE = sorted(path.name.removesuffix(".expected.txt") + ".eml" for path in CORPUS.glob("*.expected.txt"))


@pytest.mark.parametrize("name", VISIBLE)
def test_visible_text_is_exactly_what_the_customer_wrote(name):
    """The sidecar <name>.expected.txt holds the text the agent must see, byte for byte."""
    want = (CORPUS / name.replace(".eml", ".expected.txt")).read_text(encoding="utf-8").rstrip("\n")
    assert parse_email((CORPUS / name).read_bytes()).new_text == want


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_file_matches_expectations(name):
    parsed = parse_email((CORPUS / name).read_bytes())
    expected = EXPECTED[name]
    unknown = set(expected) - set(CHECKS) - set(TEXT_CHECKS) - BOUNCE_KEYS - {
        "attachments", "signature_contains", "parse_errors_contains",
    }
    assert not unknown, f"expected.json uses unknown keys {unknown}"
    for key, check in CHECKS.items():
        if key in expected:
            assert check(parsed, expected[key]), f"{key}: expected {expected[key]!r} in {parsed!r}"
    for key, (attribute, check) in TEXT_CHECKS.items():
        if key in expected:
            check(getattr(parsed, attribute), expected[key], attribute)
    if "signature_contains" in expected:
        _check_contains(parsed.signature or "", expected["signature_contains"], "signature")
        _check_excludes(parsed.new_text, expected["signature_contains"], "new_text")
    if "parse_errors_contains" in expected:
        _check_contains("\n".join(parsed.parse_errors), expected["parse_errors_contains"], "parse_errors")
    if "attachments" in expected:
        _check_attachments(parsed, expected["attachments"])
    if parsed.is_bounce:
        _check_bounce(parsed, expected)
    else:
        assert not BOUNCE_KEYS & set(expected)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_output_is_storable(name):
    _assert_storable(parse_email((CORPUS / name).read_bytes()))


def _assert_storable(parsed) -> None:
    """Every string must survive a UTF-8 database column: no lone surrogates, no NUL."""
    values = [getattr(parsed, f) for f in STRING_FIELDS] + list(parsed.headers.values()) + parsed.parse_errors
    values += [a.filename for a in parsed.attachments] + [a.content_id or "" for a in parsed.attachments]
    values += parsed.references + [parsed.auto_reply_reason or "", parsed.signature or ""]
    values += [part for pair in parsed.to + parsed.cc + parsed.reply_to for part in pair]
    if parsed.bounce is not None:
        values += [parsed.bounce.reason] + [field for r in parsed.bounce.recipients for field in r]
    for value in values:
        assert isinstance(value, str)
        value.encode("utf-8")
        assert "\x00" not in value
    assert parsed.message_id


def test_synthetic_message_id_is_deterministic():
    raw = b"From: a@example.com\nSubject: no id\n\nbody\n"
    first, again, other = parse_email(raw), parse_email(raw), parse_email(raw + b"!")
    assert first.message_id == again.message_id
    assert first.message_id != other.message_id
    assert first.message_id.startswith("parley-synth-") and first.message_id.endswith("@local")


def test_message_id_angle_brackets_are_removed_and_references_deduplicated():
    raw = (
        b"Message-ID:  <abc@example.com> (comment)\nIn-Reply-To: <b@x> <c@x>\n"
        b"References: <a@x>\n <b@x> <a@x>\nFrom: x@example.com\n\nhi\n"
    )
    parsed = parse_email(raw)
    assert parsed.message_id == "abc@example.com"
    assert parsed.in_reply_to == "b@x"
    assert parsed.references == ["a@x", "b@x"]


def test_sanitizer_strips_active_content_and_keeps_formatting():
    dirty = (
        '<div onclick="steal()" style="color:red;position:fixed">Hi <b>there</b>'
        '<script>alert(1)</script><style>*{display:none}</style>'
        '<a href="javascript:alert(1)">bad</a><a href="https://ok.example/x">good</a>'
        '<img src="cid:part1@mail" onerror="x()"><img src="data:image/png;base64,AAAA">'
        '<form action="https://evil.example"><input name="password"></form></div>'
    )
    clean = sanitize_html(dirty)
    _check_excludes(clean, ["<script", "alert(1)", "onclick", "onerror", "javascript:", "position", "<style",
                            "<form", "<input", "data:image"], "sanitized html")
    _check_contains(clean, ["<b>there</b>", 'href="https://ok.example/x"', 'src="cid:part1@mail"', "color:red"],
                    "sanitized html")
    assert sanitize_html("   ") == ""


def test_html_only_outlook_reply_is_split():
    html = (
        "<p>Works now, thanks.</p><p>Kind regards<br>Jane</p><div id='divRplyFwdMsg'><hr>"
        "<b>From:</b> Support &lt;s@parley.test&gt;<br><b>Sent:</b> Monday<br><b>To:</b> Jane<br>"
        "<b>Subject:</b> Ticket</div><div>Old question?</div>"
    )
    raw = f"From: jane@example.com\nMessage-ID: <o@x>\nContent-Type: text/html\n\n{html}\n".encode()
    parsed = parse_email(raw)
    assert parsed.new_text == "Works now, thanks.\n\nKind regards\nJane"
    assert parsed.signature is None
    assert parsed.quoted_text.startswith("----\nFrom: Support") and "Old question?" in parsed.quoted_text
    assert "Kind regards" in parsed.html and "Old question?" not in parsed.html
    assert parsed.quoted_html.startswith("<div><hr><b>From:</b>") and "Old question?" in parsed.quoted_html


def test_empty_plain_alternative_falls_back_to_html():
    raw = (
        b'From: a@example.com\nContent-Type: multipart/alternative; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\n \n--b\nContent-Type: text/html\n\n<p>Only here</p>\n--b--\n"
    )
    assert parse_email(raw).new_text == "Only here"


def test_html_to_text_quotes_blockquotes_and_skips_invisible_parts():
    text = html_to_text(
        "<html><head><title>T</title><style>p{}</style></head><body><p>Top</p>"
        "<blockquote><div>Quoted</div><blockquote>Deeper</blockquote></blockquote>"
        "<ul><li>one</li><li>two</li></ul><pre>  keep\n    indent</pre></body></html>"
    )
    assert text.splitlines()[0] == "Top"
    _check_contains(text, ["> Quoted", "> > Deeper", "- one", "  keep\n    indent"], "text")
    _check_excludes(text, ["p{}", "T\n"], "text")


@pytest.mark.parametrize(
    ("body", "new", "gone"),
    [
        ("Danke!\n\nAm 05.02.24 um 10:00 schrieb Hans Müller:\n> Hallo\n", "Danke!", "Hallo"),
        ("Merci\n\nLe 05/02/2024 à 10:00, Jean Dupont a écrit :\n> Salut\n", "Merci", "Salut"),
        ("Grazie\n\nIl giorno lun 5 feb 2024 alle ore 10:00 Mario <m@x.it> ha scritto:\n> Ciao\n", "Grazie", "Ciao"),
        ("Tack\n\nDen 5 feb. 2024 kl. 10:00 skrev Anna <a@x.se>:\n> Hej\n", "Tack", "Hej"),
        ("Ok\n\n差出人: サポート <s@x.jp>\n送信日時: 2024年2月5日 10:00\n宛先: 山田\n件名: RE: 件\n\n古い本文\n", "Ok", "古い本文"),
        ("Done.\n\n-----Ursprüngliche Nachricht-----\nVon: A\nGesendet: Montag\nAn: B\n\nalt\n", "Done.", "alt"),
        (
            "Sure\n\nDe : Support\nEnvoyé : lundi 5 février 2024 10:00\nÀ : Marie\nObjet : Test\n\nancien\n",
            "Sure",
            "ancien",
        ),
        ("Yes\n\n> > nested quote\n> quote\n", "Yes", "quote"),
    ],
)
def test_split_reply_handles_clients_and_languages(body, new, gone):
    parts = split_reply(body)
    assert parts.new_text == new
    assert gone in parts.quoted_text


QUOTED = "\n> Old text from support.\n"


@pytest.mark.parametrize(
    ("body", "new"),
    [
        ("Merci !\n\nLe lun. 23 nov. 2026 à 10:05, Parley Support <support@parley.test> a écrit :\n" + QUOTED, "Merci !"),
        ("Gracias.\n\nEl lun, 23 nov 2026 a las 10:05, Parley Support (<\nsupport@parley.test>) escribió:\n" + QUOTED,
         "Gracias."),
        ("了解です。\n\n2026年11月23日(月) 10:05 Parley Support <support@parley.test>:\n" + QUOTED, "了解です。"),
        ("好的\n\nParley Support <support@parley.test> 于2026年11月23日周一 10:05写道：\n" + QUOTED, "好的"),
        ("네 감사합니다\n\n2026년 11월 23일 (월) 오전 10:05, Parley Support <support@parley.test>님이 작성:\n" + QUOTED,
         "네 감사합니다"),
        ("Tamam.\n\nParley Support <support@parley.test>, 23 Kas 2026 Pzt, 10:05 tarihinde şunu yazdı:\n" + QUOTED,
         "Tamam."),
        ("Díky.\n\npo 23. 11. 2026 v 10:05 odesílatel Parley Support <support@parley.test> napsal:\n" + QUOTED, "Díky."),
        ("Tack!\n\nDen mån 23 nov. 2026 kl 10:05 skrev Parley Support <support@parley.test>:\n" + QUOTED, "Tack!"),
        ("Kiitos!\n\nma 23. marrask. 2026 klo 10.05 Parley Support <support@parley.test> kirjoitti:\n" + QUOTED,
         "Kiitos!"),
        ("Köszönöm.\n\nParley Support <support@parley.test> ezt írta (időpont: 2026. nov. 23., H, 10:05):\n" + QUOTED,
         "Köszönöm."),
        ("Grazie.\n\nDa: Parley Support <support@parley.test>\nInviato: lunedì 23 novembre 2026 10:05\nA: Luca\n"
         "Oggetto: Ordine\n\nvecchio\n", "Grazie."),
        ("Ok.\n\nFrom: Parley Support <support@parley.test>\nDate: Monday, 23 November 2026 at 10:05\nTo: Max\n"
         "Subject: Re: Foo\n\nold\n", "Ok."),
        ("Works.\n\n\nVon meinem iPhone gesendet\n\n> Am 23.11.2026 um 10:05 schrieb Parley Support <s@x.example>:\n"
         + QUOTED, "Works."),
        ("Ok\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n", "Ok"),
        ("Thanks a lot!\n\nKind regards,\n\nSarah Connor\nSenior Buyer\nCyberdyne Systems\nPhone: +1 555 0100\n",
         "Thanks a lot!\n\nKind regards,\n\nSarah Connor"),
    ],
)
def test_split_reply_recognises_quote_headers_and_signatures_in_more_languages(body, new):
    assert split_reply(body).new_text == new


@pytest.mark.parametrize(
    "html",
    [
        '<div>Sure.</div><hr id="zwchr"><div><b>From: </b>"Parley Support" &lt;support@parley.test&gt;<br><b>To: </b>'
        '"Kim" &lt;kim@x&gt;<br><b>Sent: </b>Monday, November 23, 2026 10:05:00 AM<br><b>Subject: </b>Re: x<br></div>'
        "<div>old</div>",
        '<p>Sure.</p><div class="moz-cite-prefix">On 23/11/2026 10:05, Parley Support wrote:<br></div>'
        '<blockquote type="cite" cite="mid:x@y">old</blockquote>',
        '<div>Sure.</div><div class="protonmail_quote">On Monday, November 23rd, 2026 at 10:05, Parley Support '
        '&lt;support@parley.test&gt; wrote:<br><blockquote class="protonmail_quote" type="cite">old</blockquote></div>',
    ],
)
def test_split_html_cuts_zimbra_thunderbird_and_protonmail_quotes(html):
    cut = split_html(html)
    assert "Sure." in cut.visible and "old" not in cut.visible and "old" in cut.quoted


def test_an_interleaved_html_reply_is_not_cut():
    html = "<p>Hi</p><blockquote>Which browser?</blockquote><p>Firefox.</p><blockquote>Private window?</blockquote><p>Yes.</p>"
    cut = split_html(html)
    assert cut.visible == html and cut.quoted == ""


@pytest.mark.parametrize(
    "body",
    [
        "Thanks, but it still fails after the update.\nThe log says:\n  error 42\nCan you help?",
        "On Monday we deployed version 2.\nSince then the export is slow.",
        "To reproduce:\n- open settings\n- click save\nNothing happens.",
        "From: the logs I can see a timeout.\nNot sure why.",
        "As my colleague wrote at 10:30:\nthe export fails on large files.\nPlease check.",
        "Thanks!\nThe export still fails on large files though.\nCan you look?",
        "Regards to the team. I tried again on Monday.\nIt broke at 5.\nBob wrote:\nnothing new",
    ],
)
def test_split_reply_leaves_ordinary_prose_alone(body):
    parts = split_reply(body)
    assert parts.new_text == body
    assert parts.quoted_text == "" and parts.signature is None


def test_split_reply_keeps_the_sign_off_and_folds_the_signature_block():
    parts = split_reply("Please check order 7.\n\nBest regards,\nMia Wong\nHead of Ops\nWong & Co.")
    assert parts.new_text == "Please check order 7.\n\nBest regards,\nMia Wong"
    assert parts.signature == "Head of Ops\nWong & Co."


def test_split_reply_keeps_a_short_sign_off_visible():
    parts = split_reply("Works now.\n\nThanks,\nAlex")
    assert parts.new_text == "Works now.\n\nThanks,\nAlex" and parts.signature is None



@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: no", None),
        ("Auto-Submitted: auto-generated", "Auto-Submitted"),
        ("X-Autorespond: yes", "X-Autorespond"),
        ("X-Auto-Response-Suppress: OOF, DR", "X-Auto-Response-Suppress"),
        ("X-Auto-Response-Suppress: RN, NRN", None),
        ("X-Precedence: bulk", "X-Precedence"),
        ("Precedence: junk", "Precedence"),
        ("Precedence: first-class", None),
        ("List-Id: <users.lists.example>", "List-Id"),
        ("X-Autoreply: no", None),
        ("Return-Path: <someone@example.com>", None),
    ],
)
def test_auto_reply_headers(headers, reason):
    msg = email.message_from_string(f"From: a@example.com\n{headers}\nSubject: Hello\n\nbody\n")
    got = auto_reply_reason(msg, "Hello")
    assert (got is None) if reason is None else (reason in got)


@pytest.mark.parametrize(
    ("status", "diagnostic", "category", "kind"),
    [
        ("5.1.1", "550 5.1.1 <x@y>: Recipient address rejected: User unknown in virtual mailbox table", "unknown_user",
         "hard"),
        ("", "550 Unknown user taro@carrier.example.jp", "unknown_user", "hard"),
        ("5.1.10", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", "unknown_user",
         "hard"),
        ("5.0.0", "550 5.0.0 Host or domain name not found. Name service error", "host_not_found", "hard"),
        ("", "Unrouteable address", "host_not_found", "hard"),
        ("5.2.1", "550 5.2.1 The email account that you tried to reach is disabled.", "mailbox_disabled", "hard"),
        ("5.2.2", "552 5.2.2 Mailbox full", "mailbox_full", "soft"),
        ("", "The users mailfolder is over the allowed quota (size). (#5.2.2)", "mailbox_full", "soft"),
        ("5.7.1", "550 5.7.1 Our system has detected that this message is likely unsolicited mail", "spam", "soft"),
        ("5.7.708", "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", "blocked", "soft"),
        ("5.7.1", "550 5.7.1 Message rejected due to DMARC policy", "blocked", "soft"),
        ("", "受信拒否設定により受信を拒否されました。", "blocked", "soft"),
        ("5.3.4", "552 5.3.4 Message size exceeds fixed limit", "too_large", "soft"),
        ("", "retry timeout exceeded", "expired", "soft"),
        ("5.4.7", "", "expired", "soft"),
        ("4.4.1", "connect to mx.example[203.0.113.5]:25: Connection refused", "temporary", "soft"),
        ("4.1.1", "450 4.1.1 User unknown, try again later", "unknown_user", "soft"),
        ("5.0.0", "550 Requested action not taken", "other", "soft"),
    ],
)
def test_bounce_classify_names_the_reason_and_whether_the_address_is_bad(status, diagnostic, category, kind):
    got_category, got_kind, explanation = bounce_classify(status, diagnostic)
    assert (got_category, got_kind) == (category, kind)
    assert explanation.endswith(".")


def test_auto_reply_subject_fallback():
    msg = email.message_from_string("From: a@example.com\n\nbody\n")
    assert auto_reply_reason(msg, "Automatische Antwort: Ihre Nachricht")
    assert auto_reply_reason(msg, "Re: Out of office tomorrow?") is None


@pytest.mark.parametrize("depth", [300, 3000])
def test_deeply_nested_multipart_does_not_raise(depth):
    parts = [f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)]
    raw = "From: a@example.com\nMessage-ID: <deep@x>\n" + "".join(parts) + "Content-Type: text/plain\n\ndeep\n"
    parsed = parse_email(raw.encode())
    assert (parsed.message_id, parsed.from_address) == ("deep@x", "a@example.com")
    assert parsed.parse_errors
    _assert_storable(parsed)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"\x00" * 100,
        b"Content-Type: multipart/mixed\n\nno boundary parameter\n",
        b"Content-Type: text/plain; charset=base64\n\nbytes-to-bytes codec as charset\n",
        b"Content-Type: text/plain; charset=\"utf-16\"\n\n\xff\xfeh\x00i\x00\xd8",
        b"Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n!!!\nend\n",
        b"Subject: =?unknown-cs?Q?abc?= =?utf-8?B?====?=\nFrom: =?x?q?\xff?= <a@b>\n\nx",
        b"Content-Type: message/rfc822\n\nnot really a message",
        b"Date: Mon, 99 Foo 99999 99:99:99 +9999\nFrom: <>\n\nx",
    ],
)
def test_hostile_inputs_do_not_raise(raw):
    _assert_storable(parse_email(raw))


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_parse_never_raises_on_random_bytes(raw):
    _assert_storable(parse_email(raw))


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(CORPUS_FILES),
    cut=st.floats(min_value=0, max_value=1),
    position=st.floats(min_value=0, max_value=1),
    noise=st.binary(min_size=1, max_size=40),
)
def test_parse_never_raises_on_mangled_corpus(name, cut, position, noise):
    raw = (CORPUS / name).read_bytes()
    truncated = raw[: int(len(raw) * cut)]
    at = int(len(truncated) * position)
    _assert_storable(parse_email(truncated[:at] + noise + truncated[at:]))


def test_large_hostile_bodies_parse_quickly():
    attribution = b"On " + b"word " * 200_000 + b"wrote:\n> x\n" + (b"> " + b"q" * 500 + b"\n") * 2000
    lines = b"Thanks,\n" * 20_000
    nested = b"<blockquote>" * 5_000 + b"x"
    raw = b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n" + attribution
    raw += b"\n--b\n\n" + lines + b"\n--b\nContent-Type: text/html\n\n" + nested + b"\n--b--\n"
    # CPU time, not wall time: CI machines run other suites alongside.
    started = time.process_time()
    parse_email(raw)
    assert time.process_time() - started < 5
