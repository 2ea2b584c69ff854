"""Which language a page or a mail is in: the agent's choice in the workspace, the customer's for the portal and mail."""
import ast
import gettext
import re
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def language_supported(code: str | None) -> str:
    """Return the shipped language `code` names ("de-AT" → "de"), or "" when Parley has no translation for it."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return ""


def browser_language(request) -> str:
    """Return the shipped language the browser asks for first (Accept-Language), or "" when it asks for none of them."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if supported := language_supported(code):
            return supported
    return ""


def person_language(person) -> str:
    """Return the language mail to a contact or an agent is written in: their stored language, else the site's default."""
    return language_supported(getattr(person, "language", "")) or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(person):
    """Write what happens inside in a contact's or an agent's language (a mail, an acknowledgement)."""
    with translation.override(person_language(person)):
        yield


class AgentLanguageMiddleware:
    """Show the workspace in the language the signed-in agent picked on their profile.

    Runs after LocaleMiddleware, which already chose from the browser's Accept-Language: an agent
    without a preference, and every customer in the portal, keep that choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = language_supported(getattr(user, "language", "")) if user is not None and user.is_authenticated else ""
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


def po_messages(path: Path) -> dict:
    """Read a .po file's translated, non-fuzzy messages, keyed as Python's gettext keys a compiled catalogue.

    Plural messages are keyed (msgid, form). Only what `makemessages` writes is read: comments,
    msgctxt, msgid, msgid_plural, msgstr and msgstr[n], each possibly continued on "..." lines.
    """
    messages, entry, field = {}, {}, None

    def finish():
        if entry.get("msgid") and "fuzzy" not in entry.get("flags", ""):
            context = entry["msgctxt"] + "\x04" if "msgctxt" in entry else ""
            forms = sorted(key for key in entry if key.startswith("msgstr["))
            if forms:
                for key in forms:
                    if entry[key]:
                        messages[(context + entry["msgid"], int(key[7:-1]))] = entry[key]
            elif entry.get("msgstr"):
                messages[context + entry["msgid"]] = entry["msgstr"]

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            finish()
            entry, field = {}, None
        elif line.startswith("#,"):
            entry["flags"] = entry.get("flags", "") + line
        elif line.startswith("#"):
            continue
        elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line):
            field = match.group(1)
            entry[field] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and field:
            entry[field] += ast.literal_eval(line)
    finish()
    return messages


def catalogue_stale(source: Path, compiled: Path) -> int:
    """Return how many translations of the .po file its compiled .mo lacks or holds differently (0: up to date)."""
    with open(compiled, "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    return sum(catalogue.get(key) != text for key, text in po_messages(source).items())
