"""Show times in the company's time zone in the workspace and the help center."""
import zoneinfo

from django.utils import timezone

from parley.company.selectors import company


class CompanyTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(zoneinfo.ZoneInfo(company().time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
