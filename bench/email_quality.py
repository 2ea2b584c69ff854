"""Measure how faithfully received email reaches the agent, over the parser's test corpus.

    python bench/email_quality.py              # figures only
    python bench/email_quality.py --verbose    # and every sample that misses, with what was stored

Runs every corpus mail through the real receive path (store the envelope, process it into a
conversation, read back the stored Message) on a temporary SQLite database, and compares the
result with the corpus expectations (`expected.json` and the `<name>.expected.txt` sidecars):

- visible text: the stored text equals the sidecar exactly, and after collapsing whitespace
  (a reply with nothing new counts as "" when it is marked quote-only);
- bounces: recognised (no conversation message made, the parser reports a bounce) and hard/soft
  agreement with the expected classification;
- feedback-loop complaints: recognised and never a conversation;
- auto-replies: the stored message is marked automatic;
- decoding: U+FFFD in the stored text or file names that the raw mail did not carry.

Prints figures and asserts nothing.
"""
import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and bench/email.py would hide the stdlib's email package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

CORPUS = _HERE.parent / "tests" / "channels" / "email" / "corpus"
REPLACEMENT = "\ufffd"


@dataclass
class Tally:
    """Hits out of a total, with the names that missed."""

    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, hit: bool, detail: str = "") -> None:
        self.total += 1
        self.hits += hit
        if not hit:
            self.misses.append(f"{name}{': ' + detail if detail else ''}")

    def line(self, label: str) -> str:
        rate = f"{100 * self.hits / self.total:5.1f} %" if self.total else "    -  "
        return f"{label:<44} {rate}  ({self.hits}/{self.total})"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _visible(message) -> str:
    """Return the text the agent reads first: what the customer wrote, "" for a reply with nothing new."""
    if message is None:
        return "<no message stored>"
    return "" if message.metadata.get("quote_only") else message.text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every sample that misses")
    options = parser.parse_args(argv)

    os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-bench-email-quality-")
    os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['PARLEY_DATA_DIR']}/parley.sqlite3"
    os.environ["PARLEY_TASKS_EAGER"] = "1"
    os.environ.setdefault("PARLEY_LOG_LEVEL", "ERROR")
    os.environ["DJANGO_SETTINGS_MODULE"] = "parley.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from parley.channels.email.parsing import parse_email
    from parley.channels.email.services import email_store
    from parley.channels.models import EnvelopeStatus
    from parley.channels.services import envelope_process, inbox_create

    call_command("migrate", verbosity=0)
    inbox = inbox_create(name="Quality", kind="email",
                         config={"addresses": ["help@quality.bench"], "rate_limit_per_hour": 0})
    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    visible, squashed, bounces, kinds, complaints, automatic, decoding = (Tally() for _ in range(7))
    processed = 0
    for path in sorted(CORPUS.glob("*.eml")):
        name, raw, want = path.name, path.read_bytes(), expected.get(path.name, {})
        with transaction.atomic():
            envelope, _ = email_store(inbox=inbox, raw=raw)
        envelope.refresh_from_db()
        if envelope.status == EnvelopeStatus.RECEIVED:
            envelope = envelope_process(envelope_id=envelope.pk)
        processed += envelope.status == EnvelopeStatus.PROCESSED
        message = envelope.message
        sidecar = path.with_name(path.stem + ".expected.txt")
        if sidecar.exists():
            text = sidecar.read_text(encoding="utf-8").rstrip("\n")
            got = _visible(message)
            visible.add(name, got == text, repr(got[:160]))
            squashed.add(name, _squash(got) == _squash(text))
        if want.get("is_bounce"):
            report = parse_email(raw).bounce
            bounces.add(name, message is None and report is not None)
            if report is not None and "bounce_kind" in want:
                got_kind = "hard" if report.hard else "soft"
                kinds.add(name, got_kind == want["bounce_kind"], f"{got_kind}, {report.category}")
        if want.get("is_complaint"):
            complaints.add(name, message is None and parse_email(raw).complaint is not None)
        if want.get("is_auto_reply"):
            automatic.add(name, bool(message is not None and message.metadata.get("auto_reply")))
        if message is not None:
            carried = raw.count("\ufffd".encode()) > 0
            stored = message.text + "".join(a.filename for a in message.attachments.all())
            decoding.add(name, carried or REPLACEMENT not in stored)

    print(f"corpus: {processed} of {len(list(CORPUS.glob('*.eml')))} mails processed through the receive path")
    print(visible.line("visible text, exact"))
    print(squashed.line("visible text, whitespace-normalised"))
    print(bounces.line("bounces recognised (no conversation)"))
    print(kinds.line("bounce hard/soft agreement"))
    print(complaints.line("feedback-loop complaints recognised"))
    print(automatic.line("auto-replies marked automatic"))
    print(decoding.line("stored without introduced U+FFFD"))
    if options.verbose:
        for label, tally in (("visible text", visible), ("bounces", bounces), ("hard/soft", kinds),
                             ("complaints", complaints), ("auto-replies", automatic), ("decoding", decoding)):
            for miss in tally.misses:
                print(f"  miss [{label}] {_squash(miss)[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
