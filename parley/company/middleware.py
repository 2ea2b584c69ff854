"""Show times in the company's time zone in the workspace and the help center."""
import zoneinfo
from datetime import tzinfo

from django.utils import timezone

from parley.company.selectors import company


class CompanyTimeZone(tzinfo):
    """The company's time zone, read the first time a time is shown: a webhook or an API call never pays for it."""

    def __init__(self):
        self._zone = None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        if self._zone is None:
            self._zone = zoneinfo.ZoneInfo(company().time_zone)
        return self._zone

    def utcoffset(self, dt):
        return self.zone.utcoffset(None if dt is None else dt.replace(tzinfo=None))

    def dst(self, dt):
        return self.zone.dst(None if dt is None else dt.replace(tzinfo=None))

    def tzname(self, dt):
        return str(self.zone) if dt is None else self.zone.tzname(dt.replace(tzinfo=None))

    def fromutc(self, dt):
        return self.zone.fromutc(dt.replace(tzinfo=self.zone)).replace(tzinfo=self)

    def __str__(self) -> str:
        return str(self.zone)


class CompanyTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(CompanyTimeZone())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
