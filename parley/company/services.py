"""Writes of the company profile (Settings → Company)."""
import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.company.models import CompanyProfile
from parley.core.errors import PayloadTooLarge, ValidationFailed
from parley.core.images import raster_type
from parley.core.services import audit_record

MAX_LOGO_BYTES = 512 * 1024
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _logo_type(content: bytes) -> str:
    content_type = raster_type(content)
    if content_type is None:
        raise ValidationFailed(gettext("The logo must be a PNG, JPEG, GIF or WebP image."), extra={"logo": "not an image"})
    return content_type


@transaction.atomic
def company_update(*, actor, name: str, color: str, default_sender: str, time_zone: str, languages: list[str] | None = None,
                   logo: bytes | None = None, remove_logo: bool = False) -> CompanyProfile:
    """Save the company's name, colour, default sender, time zone and the languages customers are served in (the
    first by default; None keeps them), and replace or remove its logo."""
    require(actor, "inbox.manage")
    values = {"name": name.strip(), "color": color.strip().lower(), "default_sender": default_sender.strip().lower(),
              "time_zone": time_zone.strip()}
    if languages is not None:
        shipped = dict(settings.LANGUAGES)
        unknown = [code for code in languages if code not in shipped]
        if unknown:
            raise ValidationFailed(gettext("Parley has no translation for “%(language)s”; it ships %(shipped)s.")
                                   % {"language": unknown[0], "shipped": ", ".join(shipped)},
                                   extra={"languages": "not shipped"})
        values["languages"] = list(dict.fromkeys(languages))
    if values["color"] and not _COLOR.match(values["color"]):
        raise ValidationFailed(gettext("A colour is written like #2563eb."), extra={"color": "not a #rrggbb colour"})
    if values["default_sender"]:
        try:
            validate_email(values["default_sender"])
        except DjangoValidationError:
            raise ValidationFailed(gettext("The default sender must be an email address."), extra={"default_sender": "invalid"}) from None
    if values["time_zone"] and values["time_zone"] not in zoneinfo.available_timezones():
        raise ValidationFailed(gettext("Unknown time zone “%(zone)s”.") % {"zone": values["time_zone"]}, extra={"time_zone": "unknown, e.g. Europe/Berlin"})
    profile = CompanyProfile.objects.select_for_update().first() or CompanyProfile()
    changes = {field: [getattr(profile, field), value] for field, value in values.items() if getattr(profile, field) != value}
    for field, value in values.items():
        setattr(profile, field, value)
    if logo is not None:
        if len(logo) > MAX_LOGO_BYTES:
            raise PayloadTooLarge(gettext("The logo may be at most %(size)s KB.") % {"size": MAX_LOGO_BYTES // 1024}, extra={"logo": "too large"})
        profile.logo, profile.logo_content_type = logo, _logo_type(logo)
        changes["logo"] = "replaced"
    elif remove_logo and profile.logo_content_type:
        profile.logo, profile.logo_content_type = None, ""
        changes["logo"] = "removed"
    profile.save()
    if changes:
        audit_record(actor=actor, action="company.updated", target=profile, changes=changes)
    return profile
