"""The shipped languages stay complete and compiled, and `parley check` says when a catalogue is missing or stale."""
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from parley.core.checks import configuration_findings
from parley.core.i18n import catalogue_stale

LOCALE = Path(django_settings.LOCALE_PATHS[0])
#: The live chat's words (widget, visitor card, demo shop) live in the chat app's own catalogue.
CHAT_LOCALE = Path(django_settings.BASE_DIR) / "channels" / "chat" / "locale"
SHIPPED = [code for code, _name in django_settings.LANGUAGES if code != django_settings.LANGUAGE_CODE]
CATALOGUES = [pytest.param(folder, code, id=f"{folder.parent.name}-{code}") for folder in (LOCALE, CHAT_LOCALE) for code in SHIPPED]


def _entries(path: Path) -> list[str]:
    """Return the .po file's message blocks, the header left out."""
    blocks = [block for block in path.read_text(encoding="utf-8").split("\n\n") if "msgid" in block]
    return [block for block in blocks if not re.search(r'^msgid ""\nmsgstr', block, re.M)]


@pytest.mark.parametrize(("locale", "code"), CATALOGUES)
def test_every_message_of_a_shipped_language_is_translated_and_none_is_fuzzy(locale, code):
    entries = _entries(locale / code / "LC_MESSAGES" / "django.po")

    assert len(entries) > (1000 if locale == LOCALE else 40)
    assert [e for e in entries if "#, fuzzy" in e] == []
    assert [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.M)] == []


@pytest.mark.parametrize("locale", [LOCALE, CHAT_LOCALE], ids=["parley", "chat"])
def test_the_shipped_languages_translate_the_same_messages(locale):
    def msgids(code):
        return {re.search(r'^msgid ((?:".*"\n?)+)', e, re.M).group(1) for e in _entries(locale / code / "LC_MESSAGES" / "django.po")}

    first, *others = SHIPPED
    assert all(msgids(code) == msgids(first) for code in others)


@pytest.mark.parametrize(("locale", "code"), CATALOGUES)
def test_the_committed_compiled_catalogue_holds_what_its_source_says(locale, code):
    folder = locale / code / "LC_MESSAGES"

    assert catalogue_stale(folder / "django.po", folder / "django.mo") == 0


def _translations_finding(settings, locale: Path):
    settings.LOCALE_PATHS = [locale]
    (finding,) = [f for f in configuration_findings(settings) if f.text.startswith("translations")]
    return finding


def test_the_check_is_ok_with_the_shipped_catalogues(settings, db):
    finding = _translations_finding(settings, LOCALE)

    assert finding.ok and finding.text == "translations compiled for en, de, es"


def test_the_check_names_a_language_without_its_compiled_catalogue_and_one_edited_since(settings, tmp_path, db):
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy)
    (copy / "es" / "LC_MESSAGES" / "django.mo").unlink()
    source = copy / "de" / "LC_MESSAGES" / "django.po"
    source.write_text(source.read_text(encoding="utf-8").replace('msgstr "Posteingänge"', 'msgstr "Eingänge"'), encoding="utf-8")

    finding = _translations_finding(settings, copy)

    assert not finding.ok
    assert finding.text == ("translations: de changed since it was compiled (1 messages differ); es is not compiled, "
                            "so those pages and mails fall back to English")
    assert "compilemessages" in finding.fix
