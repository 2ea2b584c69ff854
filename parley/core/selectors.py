"""Reads of the core app: the jobs that gave up (the failed-jobs screen) and the audit log (its screen and export)."""
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.utils.translation import gettext

from parley.core import jobs
from parley.core.models import AuditEntry, Job


@dataclass(frozen=True)
class DeadJob:
    id: int
    queue: str
    target: str
    url: str
    attempts: int
    error: str
    dead_at: datetime


def dead_jobs(*, limit: int = 200) -> list[DeadJob]:
    """Return the newest jobs in the dead letter, each described by its queue's handler."""
    found = []
    for job in Job.objects.filter(dead_at__isnull=False).order_by("-dead_at", "-id")[:limit]:
        try:
            describe = jobs.handler_for(job.queue).describe
        except LookupError:
            describe = None
        target, url = describe(job.target_id) if describe else (f"{job.queue} #{job.target_id}", "")
        found.append(DeadJob(job.pk, job.queue, target, url, job.attempts, job.last_error, job.dead_at))
    return found


def dead_job_count() -> int:
    return Job.objects.filter(dead_at__isnull=False).count()


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    #: An exact action ("agent.role_changed"), or a prefix ending in a dot ("agent.") for every action of a kind.
    action: str = ""
    target_type: str = ""
    since: date | None = None
    until: date | None = None


def audit_entries(*, filters: AuditFilters):
    """Return the audit entries matching `filters`, newest first (a queryset, for paging or export)."""
    given = {"actor_id": filters.actor_id, "target_type": filters.target_type,
             "created_at__date__gte": filters.since, "created_at__date__lte": filters.until}
    entries = AuditEntry.objects.select_related("actor").filter(**{lookup: value for lookup, value in given.items() if value})
    if filters.action:
        entries = entries.filter(action__startswith=filters.action) if filters.action.endswith(".") else entries.filter(action=filters.action)
    return entries


def audit_target_types() -> list[tuple[str, str]]:
    """Return (label, readable name) of every kind of record the log has entries about."""
    labels = AuditEntry.objects.order_by().values_list("target_type", flat=True).distinct()
    return sorted(((label, _readable_type(label)) for label in labels), key=lambda pair: pair[1])


def _readable_type(label: str) -> str:
    try:
        name = str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: str
    target_kind: str
    target_name: str
    #: "role: agent → supervisor", one per changed field; who acted for a rule or the bot is in `actor`.
    changes: list[str]


def audit_rows(entries) -> list[AuditRow]:
    """Describe a page of entries: who acted (a person, or the rule, bot or system) and the record's current name."""
    entries = list(entries)
    names: dict[tuple[str, str], str] = {}
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        # One query per kind of record on the page; a deleted record keeps only its id.
        for pk, record in model._default_manager.in_bulk([i for i in ids if i.isdigit()]).items():
            names[(label, str(pk))] = str(record)
    return [AuditRow(entry=entry,
                     actor=str(entry.actor) if entry.actor else entry.changes.get("by", gettext("the system")),
                     target_kind=_readable_type(entry.target_type),
                     target_name=names.get((entry.target_type, entry.target_id), f"#{entry.target_id}"),
                     changes=[_change_text(key, value) for key, value in entry.changes.items() if key != "by"])
            for entry in entries]


def _change_text(key: str, value) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{key}: {_shown(value[0])} → {_shown(value[1])}"
    return f"{key}: {_shown(value)}"


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
