"""Which language a page or a mail is in: the agent's choice in the workspace, the customer's for the portal and mail.

Agents may pick any language Parley ships; customers are served in the languages the company offers
(Settings → Company), the first of them when they ask for none of those.
"""
import ast
import re
from contextlib import contextmanager
from gettext import GNUTranslations
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
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


def offered_languages() -> tuple[str, ...]:
    """Return the languages customers are served in, the default one first."""
    from parley.company.selectors import company

    return company().languages


def browser_language(request, offered: tuple[str, ...] | None = None) -> str:
    """Return the offered language the browser asks for first (Accept-Language), or "" when it asks for none of them."""
    offered = offered or offered_languages()
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if (supported := language_supported(code)) in offered:
            return supported
    return ""


def person_language(person) -> str:
    """Return the language mail to an agent or a customer is written in.

    An agent's is their choice, else the site's default; a customer's is their stored language while the
    company offers it, else the company's first.
    """
    chosen = language_supported(getattr(person, "language", ""))
    if isinstance(person, AbstractBaseUser):
        return chosen or settings.LANGUAGE_CODE
    offered = offered_languages()
    return chosen if chosen in offered else offered[0]


@contextmanager
def in_language_of(person):
    """Write what happens inside in a contact's or an agent's language (a mail, an acknowledgement)."""
    with translation.override(person_language(person)):
        yield


class KeptTranslation(str):
    """A message in the active language that keeps its English source and its parameters, so that a copy stored now
    (a bulk action's refusals) is shown later in the language of whoever reads it: see `stored_text`, `shown_text`."""

    def __new__(cls, source: str, params: dict | None = None):
        text = translation.gettext(source)
        kept = super().__new__(cls, text if params is None else text % params)
        kept.source, kept.params = source, params
        return kept

    def __mod__(self, params: dict) -> "KeptTranslation":
        return KeptTranslation(self.source, params)


def gettext(message: str) -> KeptTranslation:
    """Translate `message` as Django's gettext does, keeping its source for a reader of another language.

    Same name, so `makemessages` finds the messages; `gettext(...) % {...}` keeps the parameters too.
    """
    return KeptTranslation(message)


def stored_text(text: str) -> str | dict:
    """Return what to store of a message so that `shown_text` says it in its reader's language."""
    if not isinstance(text, KeptTranslation):
        return str(text)
    return {"message": text.source, "params": None if text.params is None else {k: str(v) for k, v in text.params.items()}}


def shown_text(stored: str | dict) -> str:
    """Return a stored message in the active language; one stored as plain text is shown as it was written."""
    if isinstance(stored, str):
        return stored
    return str(KeptTranslation(stored["message"], stored["params"]))


def in_english(text: str) -> str:
    """Return a message in English, as the `extra` of an API error gives an explanation whatever the request's language."""
    with translation.override("en"):
        return shown_text(stored_text(text))


#: Machine endpoints, whose answers no person reads, and the chat widget, which picks its words itself (see
#: channels/chat): they skip the company read.
NO_PAGES = ("/api/", "/channels/", "/chat/", "/static/", "/ws/")


class AgentLanguageMiddleware:
    """Show the workspace in the language the signed-in agent picked on their profile, and pages to anyone else in
    an offered language.

    Runs after LocaleMiddleware, which already chose from the browser's Accept-Language among every shipped
    language: an agent without a preference keeps that choice; a customer (or anyone not signed in) gets it only if
    the company offers it, else the offered language their browser asks for, else the company's first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            chosen = language_supported(getattr(user, "language", ""))
        elif request.path_info.startswith(NO_PAGES):
            chosen = ""
        else:
            offered = offered_languages()
            chosen = "" if request.LANGUAGE_CODE in offered else (browser_language(request, offered) or offered[0])
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
        catalogue = GNUTranslations(handle)._catalog
    return sum(catalogue.get(key) != text for key, text in po_messages(source).items())
