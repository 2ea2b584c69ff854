"""Worker entry points for analytics: the weekly report schedule."""
from parley.analytics import services
from parley.core import jobs


@jobs.every(900)
def send_weekly_reports() -> None:
    services.weekly_reports_send()
