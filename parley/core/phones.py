"""Phone numbers as identities: one spelling (E.164) for every way a customer or a provider writes a number.

"+49 30 1234567", "030 1234567" (in Germany) and "0049301234567" are one person; without one
spelling the same customer on SMS, WhatsApp and voice would become three contacts. Numbers
written without a country code are read in `PARLEY_PHONE_REGION` (a two-letter country code).
"""
import re

import phonenumbers
from django.conf import settings


def phone_e164(text: str, *, region: str | None = None) -> str | None:
    """Return `text` as an E.164 number ("+4930123456"), or None when it is not a possible phone number."""
    text = (text or "").strip()
    if not text or sum(ch.isdigit() for ch in text) < 3:
        return None
    region = (settings.PARLEY_PHONE_REGION if region is None else region).upper() or None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_normalize(text: str) -> str:
    """Return the E.164 form of a phone number, or its digits (and a leading +) when it cannot be read as one.

    Never refuses: a message from a number Parley cannot place must still arrive.
    """
    text = (text or "").strip()
    e164 = phone_e164(text)
    if e164:
        return e164
    digits = "".join(ch for ch in text if ch.isdigit())
    return f"+{digits}" if text.startswith("+") and digits else digits


_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
MIN_PHONE_DIGITS = 7


def phone_in_text(text: str) -> str | None:
    """Return the E.164 number an agent typed into a search box ("(202) 555-0143"), or None when it is not one."""
    text = (text or "").strip()
    if not _PHONE_LIKE.match(text) or sum(ch.isdigit() for ch in text) < MIN_PHONE_DIGITS:
        return None
    return phone_e164(text)


def phone_display(number: str) -> str:
    """Return a stored number the way people read it ("+49 30 1234567"); one Parley cannot place as it is."""
    try:
        parsed = phonenumbers.parse(number or "", None)
    except phonenumbers.NumberParseException:
        return number or ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
