"""Agent actions on a conversation: create, assign, status, fields, tags, escalate, merge, link."""
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from parley.accounts.models import Team, User
from parley.accounts.permissions import require
from parley.conversations.models import (
    ConversationType, Conversation, CustomField, CustomStatus, Message, Priority, Status, Tag,
)
from parley.conversations.services.common import event_message, event_message_build
from parley.conversations.services.vocabulary import custom_field_value, custom_fields_missing_to_solve
from parley.core import actors, events
from parley.core.errors import ValidationFailed
# A refusal keeps its source: a bulk action stores it for an agent who may read another language.
from parley.core.i18n import gettext
from parley.core.models import AuditEntry, surviving
from parley.core.services import audit_entry, audit_record
from parley.core.rows import atomic_without_savepoint

MAX_TIER = 3


def _actor_id(record) -> int | None:
    return getattr(record, "pk", None)


@atomic_without_savepoint
def conversation_create(*, inbox, contact, subject: str = "", priority: str = Priority.NORMAL,
                        type: str = ConversationType.QUESTION, team: Team | None = None, actor=None,
                        created_at=None) -> Conversation:
    """Open a conversation; the one creation path for channels, agents, the API and the importer."""
    if priority not in Priority.values:
        raise ValidationFailed(gettext("Unknown priority."), extra={"priority": f"must be one of {', '.join(Priority.values)}"})
    if type not in ConversationType.values:
        raise ValidationFailed(gettext("Unknown type."), extra={"type": f"must be one of {', '.join(ConversationType.values)}"})
    now = created_at or timezone.now()
    conversation = Conversation.objects.create(
        inbox=inbox, contact=contact, subject=subject.strip()[:300], priority=priority, type=type,
        team=team or inbox.default_team, created_at=now, last_message_at=now,
    )
    audit_record(actor=actor, action="conversation.created", target=conversation)
    events.publish("conversation.created", {"conversation_id": conversation.pk, "inbox_id": inbox.pk, "contact_id": contact.pk,
                                            "actor": actors.describe(actor)})
    return conversation


@transaction.atomic
def conversation_assign(*, conversation: Conversation, actor, assignee: User | None = None,
                        team: Team | None = None, keep_team: bool = False, at=None) -> Conversation:
    """Assign to an agent and/or a team; None clears. An agent outside the team is refused.

    `at` backdates the timeline entry (imports and the demo replay history through here).
    """
    require(actor, "conversation.assign")
    if assignee is not None and (not assignee.is_active or assignee.role == "light_agent"):
        raise ValidationFailed(gettext("That agent cannot be assigned conversations."), extra={"assignee": "inactive or light agent"})
    new_team = conversation.team if keep_team else team
    if assignee is not None and new_team is not None and not new_team.members.filter(pk=assignee.pk).exists():
        raise ValidationFailed(gettext("%(agent)s is not a member of %(team)s.") % {"agent": assignee, "team": new_team}, extra={"assignee": "not in team"})
    records = _assignment_apply(conversation, assignee, new_team, actor=actor, at=at)
    conversation.save()
    if records:
        message, entry, payload = records
        message.save()
        entry.save()
        events.publish("conversation.assigned", payload)
    return conversation


@transaction.atomic
def conversations_assign_many(*, assignments: list[tuple[Conversation, User, Team | None]], actor) -> None:
    """Assign many conversations at once (routing draining its queue), with one write per table.

    The caller has checked what conversation_assign checks one by one: each agent is active, may be
    assigned, and is a member of the team.
    """
    require(actor, "conversation.assign")
    records = []
    for conversation, assignee, team in assignments:
        found = _assignment_apply(conversation, assignee, team, actor=actor)
        if found:
            records.append(found)
    _update_assignments([conversation for conversation, _, _ in assignments])
    Message.objects.bulk_create([message for message, _, _ in records])
    AuditEntry.objects.bulk_create([entry for _, entry, _ in records])
    events.publish_many("conversation.assigned", [payload for _, _, payload in records])


def _update_assignments(conversations: list[Conversation]) -> None:
    """Write assignee, team and status of many conversations in one statement.

    bulk_update's CASE per row costs more to build than to run, and one UPDATE per agent means
    dozens of round trips per batch; WITH v AS (VALUES …) UPDATE … FROM v is one, on PostgreSQL and SQLite alike.
    """
    if not conversations:
        return
    table = connection.ops.quote_name(Conversation._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(conversations))
    params = [value for c in conversations for value in (c.pk, c.assignee_id, c.team_id, c.status)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v(id, assignee_id, team_id, status) AS (VALUES {rows}) "
            f"UPDATE {table} SET assignee_id = CAST(v.assignee_id AS BIGINT), team_id = CAST(v.team_id AS BIGINT), "
            f"status = v.status, updated_at = %s FROM v WHERE {table}.id = CAST(v.id AS BIGINT)",
            [*params, connection.ops.adapt_datetimefield_value(timezone.now())])


def _assignment_apply(conversation: Conversation, assignee: User | None, new_team: Team | None, *, actor, at=None):
    """Set assignee and team on `conversation` (unsaved); return the unsaved timeline entry, audit entry and event payload, or None when nothing changed."""
    old = (conversation.assignee, conversation.team)
    conversation.assignee, conversation.team = assignee, new_team
    if conversation.status == Status.NEW and assignee is not None:
        conversation.status = Status.OPEN
    if old == (assignee, new_team):
        return None
    who = str(assignee) if assignee else "nobody"
    where = f" in {new_team}" if new_team else ""
    message = event_message_build(conversation, f"{actor} assigned this to {who}{where}.", actor=actor, at=at)
    entry = audit_entry(actor=actor, action="conversation.assigned", target=conversation,
                        changes={"assignee": [str(old[0] or ""), str(assignee or "")], "team": [str(old[1] or ""), str(new_team or "")]})
    payload = {"conversation_id": conversation.pk, "assignee_id": _actor_id(assignee), "team_id": _actor_id(new_team),
               "actor": actors.describe(actor)}
    return message, entry, payload


@transaction.atomic
def conversation_set_status(*, conversation: Conversation, actor, status: str | None = None,
                            custom_status: CustomStatus | None = None, at=None) -> Conversation:
    """Move to a built-in status, or to a custom status (which sets its category); `at` backdates it."""
    require(actor, "conversation.update")
    if custom_status is not None:
        status = custom_status.category
    if status not in Status.values:
        raise ValidationFailed(gettext("Unknown status."), extra={"status": f"must be one of {', '.join(Status.values)}"})
    require_solvable(conversation, status)
    _apply_status(conversation, status, actor=actor, at=at)
    conversation.custom_status = custom_status
    conversation.save()
    return conversation


def require_solvable(conversation: Conversation, status: str) -> None:
    """Refuse to solve or close a conversation while a custom field required to solve it is empty."""
    done = (Status.SOLVED, Status.CLOSED)
    if status in done and conversation.status not in done:
        missing = custom_fields_missing_to_solve(conversation)
        if missing:
            raise ValidationFailed(gettext("Fill in %(fields)s before solving.") % {"fields": ", ".join(f.label for f in missing)},
                                   extra={"custom_fields": {f.key: "required to solve" for f in missing}})


def _apply_status(conversation: Conversation, status: str, *, actor, at=None) -> None:
    """Set the status and the timestamps the KPIs read; callers save."""
    old = conversation.status
    if old == status:
        return
    now = at or timezone.now()
    if status == Status.SOLVED:
        conversation.solved_at = now
    if status == Status.CLOSED:
        conversation.closed_at = now
        conversation.solved_at = conversation.solved_at or now
    if old in (Status.SOLVED, Status.CLOSED) and status not in (Status.SOLVED, Status.CLOSED):
        conversation.reopened_count += 1
        conversation.solved_at = conversation.closed_at = None
    conversation.status = status
    # The timeline keeps one language (the site's), whoever's screen the change came from.
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Status(status).label)
    event_message(conversation, f"{actor or 'Parley'} set the status to {label}.", actor=actor, data={"status": [old, status]}, at=now)
    audit_record(actor=actor, action="conversation.status_changed", target=conversation, changes={"status": [old, status]})
    events.publish("conversation.status_changed", {"conversation_id": conversation.pk, "old": old, "new": status, "actor": actors.describe(actor)})


@transaction.atomic
def conversation_update(*, conversation: Conversation, actor, **fields) -> Conversation:
    """Change subject, priority, type or custom fields; unknown fields are refused, not ignored."""
    require(actor, "conversation.update")
    allowed = {"subject", "priority", "type", "custom_fields"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(gettext("Unknown conversation fields."), extra={f: "unknown field" for f in sorted(unknown)})
    if "priority" in fields and fields["priority"] not in Priority.values:
        raise ValidationFailed(gettext("Unknown priority."), extra={"priority": f"must be one of {', '.join(Priority.values)}"})
    if "type" in fields and fields["type"] not in ConversationType.values:
        raise ValidationFailed(gettext("Unknown type."), extra={"type": f"must be one of {', '.join(ConversationType.values)}"})
    if "custom_fields" in fields and not isinstance(fields["custom_fields"], dict):
        raise ValidationFailed(gettext("Custom fields must be an object."), extra={"custom_fields": "must be an object"})
    if "custom_fields" in fields:
        defined = {f.key: f for f in CustomField.objects.filter(key__in=list(fields["custom_fields"]))}
        fields["custom_fields"] = {key: custom_field_value(defined[key], value) if key in defined else value
                                   for key, value in fields["custom_fields"].items()}
    changes = {}
    for field, value in fields.items():
        old = getattr(conversation, field)
        if field == "custom_fields":
            value = {**old, **value}
        if old != value:
            changes[field] = [old, value]
            setattr(conversation, field, value)
    if changes:
        conversation.save()
        summary = ", ".join(f"{f} to {v[1]}" for f, v in changes.items() if f != "custom_fields") or "custom fields"
        event_message(conversation, f"{actor} changed {summary}.", actor=actor)
        audit_record(actor=actor, action="conversation.updated", target=conversation, changes=changes)
        events.publish("conversation.updated", {"conversation_id": conversation.pk, "changes": changes, "actor": actors.describe(actor)})
    return conversation


@transaction.atomic
def conversation_set_tags(*, conversation: Conversation, actor, tags: list[str]) -> Conversation:
    """Replace the tags; new tag names are created."""
    require(actor, "conversation.update")
    names = sorted({t.strip().lower() for t in tags if t.strip()})
    if any(len(n) > 50 for n in names):
        raise ValidationFailed(gettext("A tag is at most 50 characters."), extra={"tags": "too long"})
    old = sorted(conversation.tags.values_list("name", flat=True))
    if old == names:
        return conversation
    conversation.tags.set([Tag.objects.get_or_create(name=n)[0] for n in names])
    added, removed = [n for n in names if n not in old], [n for n in old if n not in names]
    said = [part for part in (f"added {', '.join(added)}" if added else "", f"removed {', '.join(removed)}" if removed else "") if part]
    event_message(conversation, f"{actor} {' and '.join(said)} as tags.", actor=actor, data={"tags": [old, names]})
    audit_record(actor=actor, action="conversation.tagged", target=conversation, changes={"tags": [old, names]})
    events.publish("conversation.updated", {"conversation_id": conversation.pk, "changes": {"tags": [old, names]}, "actor": actors.describe(actor)})
    return conversation


@transaction.atomic
def conversation_escalate(*, conversation: Conversation, actor, reason: str = "", team: Team | None = None) -> Conversation:
    """Raise the support tier by one (to at most 3), handing it to another team: the one given, else the path's."""
    from parley.sla.services import escalation_plan

    require(actor, "conversation.update")
    if conversation.tier >= MAX_TIER:
        raise ValidationFailed(gettext("Already at the highest tier (%(tier)s).") % {"tier": MAX_TIER}, extra={"tier": "at maximum"})
    # The team's escalation path names who takes the next tier and what must be filled in first.
    path_team, missing, _ = escalation_plan(conversation)
    if missing:
        raise ValidationFailed(gettext("Fill in %(fields)s before escalating to tier %(tier)s.")
                               % {"fields": ", ".join(missing), "tier": conversation.tier + 1},
                               extra={"custom_fields": {field: "required before escalating" for field in missing}})
    team = team or path_team
    conversation.tier += 1
    if team is not None:
        conversation.team, conversation.assignee = team, None
    conversation.save()
    note = f"{actor} escalated this to tier {conversation.tier}" + (f" ({team})" if team else "") + (f": {reason}" if reason else ".")
    event_message(conversation, note, actor=actor, data={"tier": conversation.tier})
    audit_record(actor=actor, action="conversation.escalated", target=conversation, changes={"tier": [conversation.tier - 1, conversation.tier]})
    events.publish("conversation.updated", {"conversation_id": conversation.pk, "changes": {"tier": [conversation.tier - 1, conversation.tier]}, "actor": actors.describe(actor)})
    return conversation


@transaction.atomic
def conversation_merge(*, keep: Conversation, merge: Conversation, actor) -> Conversation:
    """Move every message of `merge` into `keep` and close `merge` with a pointer to `keep`.

    Both must belong to the same customer. Merging another customer's conversation would move
    their messages under this customer's name, out of their own "my requests", and send later
    replies only to this customer: the customers are merged first (contact_merge), deliberately.
    """
    require(actor, "conversation.merge")
    if keep.pk == merge.pk:
        raise ValidationFailed(gettext("A conversation cannot be merged into itself."), extra={"merge": "same conversation"})
    if merge.merged_into_id:
        raise ValidationFailed(gettext("#%(number)s was already merged.") % {"number": merge.pk}, extra={"merge": "already merged"})
    if surviving(keep.contact).pk != surviving(merge.contact).pk:
        raise ValidationFailed(
            gettext("#%(merge)s belongs to another customer (%(merge_customer)s) than #%(keep)s (%(keep_customer)s). "
                    "If they are the same person, merge the customers first; otherwise link the conversations.")
            % {"merge": merge.pk, "merge_customer": merge.contact, "keep": keep.pk, "keep_customer": keep.contact},
            extra={"merge": "another customer's conversation"}, status=409)
    moved = merge.messages.update(conversation=keep)
    keep.tags.add(*merge.tags.all())
    keep.participants.add(*merge.participants.all())
    keep.last_message_at = max(keep.last_message_at, merge.last_message_at)
    keep.inbound_count += merge.inbound_count
    keep.outbound_count += merge.outbound_count
    keep.save()
    merge.merged_into = keep
    _apply_status(merge, Status.CLOSED, actor=actor)
    merge.save()
    event_message(keep, f"{actor} merged #{merge.pk} into this conversation ({moved} messages).", actor=actor, data={"merged_id": merge.pk})
    event_message(merge, f"{actor} merged this conversation into #{keep.pk}.", actor=actor, data={"merged_into": keep.pk})
    audit_record(actor=actor, action="conversation.merged", target=keep, changes={"merged_id": merge.pk, "messages": moved})
    events.publish("conversation.merged", {"conversation_id": keep.pk, "merged_id": merge.pk, "actor": actors.describe(actor)})
    return keep


@transaction.atomic
def conversation_link(*, conversation: Conversation, other: Conversation, actor) -> Conversation:
    """Mark two conversations as related (both show the link)."""
    require(actor, "conversation.update")
    if conversation.pk == other.pk:
        raise ValidationFailed(gettext("A conversation cannot be linked to itself."), extra={"other": "same conversation"})
    conversation.related.add(other)
    event_message(conversation, f"{actor} linked #{other.pk}.", actor=actor, data={"linked": other.pk})
    event_message(other, f"{actor} linked #{conversation.pk}.", actor=actor, data={"linked": conversation.pk})
    audit_record(actor=actor, action="conversation.linked", target=conversation, changes={"other": other.pk})
    events.publish("conversation.linked", {"conversation_id": conversation.pk, "other_id": other.pk, "actor": actors.describe(actor)})
    return conversation


@transaction.atomic
def conversation_delete(*, conversation: Conversation, actor) -> None:
    """Delete a conversation with its messages for good (spam, a test); the audit log keeps that it existed."""
    require(actor, "conversation.delete")
    audit_record(actor=actor, action="conversation.deleted", target=conversation,
                 changes={"subject": conversation.subject, "contact_id": conversation.contact_id})
    events.publish("conversation.deleted", {"conversation_id": conversation.pk, "inbox_id": conversation.inbox_id,
                                            "contact_id": conversation.contact_id, "actor": actors.describe(actor)})
    conversation.delete()


@transaction.atomic
def tag_create(*, name: str, actor) -> Tag:
    """Create a tag (names are stored lower-case, as conversation_set_tags stores them)."""
    require(actor, "tag.manage")
    name = name.strip().lower()
    if not name or len(name) > 50:
        raise ValidationFailed(gettext("A tag needs a name of at most 50 characters."), extra={"name": "1 to 50 characters"})
    if Tag.objects.filter(name=name).exists():
        raise ValidationFailed(gettext("That tag exists."), extra={"name": "taken"})
    tag = Tag.objects.create(name=name)
    audit_record(actor=actor, action="tag.created", target=tag)
    return tag


@transaction.atomic
def tag_delete(*, tag: Tag, actor) -> None:
    """Delete a tag; conversations carrying it simply lose it."""
    require(actor, "tag.manage")
    audit_record(actor=actor, action="tag.deleted", target=tag, changes={"name": tag.name})
    tag.delete()


@transaction.atomic
def custom_status_create(*, name: str, category: str, actor) -> CustomStatus:
    """Create a team's own status name that files conversations under a built-in status."""
    require(actor, "tag.manage")
    name = name.strip()
    if not name:
        raise ValidationFailed(gettext("A status needs a name."), extra={"name": "required"})
    if category not in Status.values:
        raise ValidationFailed(gettext("Unknown status."), extra={"category": f"must be one of {', '.join(Status.values)}"})
    if CustomStatus.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(gettext("A status with this name exists."), extra={"name": "taken"})
    last = CustomStatus.objects.order_by("-position").values_list("position", flat=True).first()
    custom_status = CustomStatus.objects.create(name=name, category=category, position=(last or 0) + 1)
    audit_record(actor=actor, action="custom_status.created", target=custom_status, changes={"category": category})
    return custom_status
