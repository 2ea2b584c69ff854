"""The company's name, colour, logo, sender and time zone as everyone reads them, with the environment's defaults."""
from dataclasses import dataclass

from django.conf import settings

from parley.company.models import CompanyProfile
from parley.core.kept import kept

DEFAULT_COLOR = "#2563eb"


@dataclass(frozen=True)
class Company:
    name: str
    color: str
    default_sender: str
    time_zone: str
    #: The languages customers are served in, the first one by default.
    languages: tuple[str, ...]
    has_logo: bool
    version: int


@kept(models=("company.CompanyProfile",))
def company() -> Company:
    """Return the company as customers see it: the saved profile, or the environment's settings where it is empty.

    One small row, read without its logo, and kept: every request and many events ask for it (the time zone).
    """
    profile = CompanyProfile.objects.defer("logo").first()
    return Company(
        name=(profile and profile.name) or settings.PARLEY_COMPANY_NAME,
        color=(profile and profile.color) or DEFAULT_COLOR,
        default_sender=(profile and profile.default_sender) or settings.DEFAULT_FROM_EMAIL,
        time_zone=(profile and profile.time_zone) or settings.TIME_ZONE,
        languages=offered_languages(profile.languages if profile else []),
        has_logo=bool(profile and profile.logo_content_type),
        # Changes with every save, so the logo's URL changes and browsers fetch the new one.
        version=int(profile.updated_at.timestamp()) if profile else 0,
    )


def offered_languages(chosen: list[str]) -> tuple[str, ...]:
    """The shipped languages among `chosen`, in its order; every shipped one (the site's default first) when none."""
    shipped = [code for code, _name in settings.LANGUAGES]
    kept = tuple(code for code in chosen if code in shipped)
    return kept or (settings.LANGUAGE_CODE, *(code for code in shipped if code != settings.LANGUAGE_CODE))


def company_logo() -> tuple[bytes, str] | None:
    """Return the logo's bytes and content type, or None."""
    profile = CompanyProfile.objects.filter(logo_content_type__gt="").first()
    return (bytes(profile.logo), profile.logo_content_type) if profile else None
