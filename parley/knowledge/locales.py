"""The locales the help center is written in, and how a customer's wish falls back to one of them."""
from django.conf import settings

#: Locale code -> the language's own name, for the language switcher.
LANGUAGE_NAMES = {
    "en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "it": "Italiano", "nl": "Nederlands",
    "pt": "Português", "pl": "Polski", "sv": "Svenska", "da": "Dansk", "fi": "Suomi", "no": "Norsk",
}


def default_locale() -> str:
    return settings.PARLEY_HELP_CENTER_LOCALE


def known(locale: str) -> bool:
    return locale in LANGUAGE_NAMES


def resolve(wanted: str | None, accept_language: str = "") -> str:
    """Return the locale to show: `wanted` when known, else the first known one the browser asks for, else the default."""
    for candidate in [wanted or "", *(part.split(";")[0].strip() for part in accept_language.split(","))]:
        code = candidate.lower().replace("_", "-").split("-")[0]
        if known(code):
            return code
    return default_locale()


def language_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale, locale)
