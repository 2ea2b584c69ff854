"""Reads of the voice channel: call logs, queue waits, handle time and abandonment, the call-back queue."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from parley.channels.voice.models import Call, CallbackRequest, CallDirection, CallOutcome

#: Waits older than this do not shape the estimate a caller hears.
ESTIMATE_WINDOW = timedelta(hours=24)


def contact_for_number(number: str):
    """Return the contact already known by this phone number (on any channel), or None; creates nothing."""
    from parley.contacts.models import ContactIdentity
    from parley.core.models import surviving

    identity = ContactIdentity.objects.filter(kind="phone", source_id=number).select_related("contact").first()
    return surviving(identity.contact) if identity else None


def queue_average_wait(*, team_id: int | None) -> int:
    """Return the average seconds callers to a team's queue waited before an answer over the last day (0: no data)."""
    if team_id is None:
        return 0
    average = (Call.objects.filter(team_id=team_id, answered_at__isnull=False, wait_seconds__isnull=False,
                                   started_at__gte=timezone.now() - ESTIMATE_WINDOW)
               .aggregate(average=Avg("wait_seconds"))["average"])
    return round(average or 0)


def call_stats(*, since=None, until=None, inbox_id: int | None = None, team_id: int | None = None) -> dict:
    """Return handle and abandonment figures of inbound calls started in [since, until).

    - average_handle_seconds: mean talk time of answered calls;
    - average_wait_seconds: mean time answered callers waited in a queue or for an agent;
    - abandonment_rate: callers who hung up while waiting, out of all who waited for someone
      (answered + abandoned); calls that ended in the menu, or went to voicemail or a call-back
      by choice, are neither.
    """
    calls = Call.objects.filter(direction=CallDirection.INBOUND)
    if since:
        calls = calls.filter(started_at__gte=since)
    if until:
        calls = calls.filter(started_at__lt=until)
    if inbox_id:
        calls = calls.filter(inbox_id=inbox_id)
    if team_id:
        calls = calls.filter(team_id=team_id)
    figures = calls.aggregate(
        calls=Count("id"),
        answered=Count("id", filter=Q(outcome=CallOutcome.ANSWERED)),
        abandoned=Count("id", filter=Q(outcome=CallOutcome.ABANDONED)),
        voicemail=Count("id", filter=Q(outcome=CallOutcome.VOICEMAIL)),
        callback=Count("id", filter=Q(outcome=CallOutcome.CALLBACK)),
        average_handle_seconds=Avg("talk_seconds", filter=Q(outcome=CallOutcome.ANSWERED, talk_seconds__isnull=False)),
        average_wait_seconds=Avg("wait_seconds", filter=Q(outcome=CallOutcome.ANSWERED)),
    )
    waited = figures["answered"] + figures["abandoned"]
    figures["abandonment_rate"] = figures["abandoned"] / waited if waited else None
    for key in ("average_handle_seconds", "average_wait_seconds"):
        figures[key] = round(figures[key]) if figures[key] is not None else None
    return figures


def queues_waiting() -> list[dict]:
    """Return each team with callers waiting in its queue now: how many, and since when the longest has waited."""
    from django.db.models import Min

    from parley.accounts.models import Team

    waiting = (Call.objects.filter(queued_at__isnull=False, answered_at__isnull=True, ended_at__isnull=True, team__isnull=False)
               .values("team").annotate(callers=Count("id"), since=Min("queued_at")).order_by("since"))
    teams = Team.objects.in_bulk([row["team"] for row in waiting])
    return [{"team": teams[row["team"]], "callers": row["callers"], "since": row["since"]} for row in waiting]


def call_list(*, contact_id: int | None = None, inbox_id: int | None = None):
    """Return calls newest first, with what the log shows (contact, agent, team, inbox)."""
    calls = Call.objects.select_related("contact", "agent", "team", "inbox")
    if contact_id:
        calls = calls.filter(contact_id=contact_id)
    if inbox_id:
        calls = calls.filter(inbox_id=inbox_id)
    return calls


def callback_queue(*, include_done: bool = False):
    """Return call-back requests oldest first (the order to call people back), open ones unless asked otherwise."""
    requests = CallbackRequest.objects.select_related("call__contact", "call__inbox", "conversation", "done_by")
    return requests if include_done else requests.filter(done_at__isnull=True)
