"""Writes of an agent's desk: marking a conversation seen, keeping and discarding drafts, and bulk actions:
one change to many conversations, applied by a job in chunks so the page can show progress, each
conversation through the same service an agent's click uses, and undone from what each was before."""
from django.db import transaction
from django.utils import timezone

from parley.accounts.models import Team, User
from parley.accounts.permissions import require
from parley.conversations import services as conversation_services
from parley.conversations.models import Conversation, CustomStatus, Notification, Priority, Status
from parley.core import events, jobs
from parley.core.errors import ApplicationError, ValidationFailed
# A refusal keeps its source: a bulk action stores it for an agent who may read another language.
from parley.core.i18n import gettext, in_language_of, stored_text
from parley.core.services import audit_record
from parley.desk.models import BulkAction, ConversationSeen, Draft, DraftKind, NotificationPreference, SavedView
from parley.desk.selectors import notification_preferences

#: Larger than any reply a channel carries; a draft is the agent's own text, not a file store.
MAX_DRAFT_LENGTH = 100_000


def conversation_mark_seen(*, agent, conversation) -> None:
    """Record that `agent` has the conversation open now: its customer messages so far are read."""
    ConversationSeen.objects.update_or_create(agent=agent, conversation=conversation,
                                              defaults={"seen_at": timezone.now()})


@transaction.atomic
def draft_save(*, agent, conversation, kind: str, text: str) -> Draft | None:
    """Keep what the agent has typed; empty text discards the draft."""
    if kind not in DraftKind.values:
        raise ValidationFailed(gettext("A draft is a reply or a note."), extra={"kind": f"must be one of {', '.join(DraftKind.values)}"})
    if len(text) > MAX_DRAFT_LENGTH:
        raise ValidationFailed(gettext("A draft is at most %(max)s characters.") % {"max": f"{MAX_DRAFT_LENGTH:,}"}, extra={"text": "too long"})
    if not text.strip():
        draft_discard(agent=agent, conversation=conversation, kind=kind)
        return None
    draft, _ = Draft.objects.update_or_create(agent=agent, conversation=conversation, kind=kind, defaults={"text": text})
    return draft


def draft_discard(*, agent, conversation, kind: str) -> None:
    """Forget a draft (it was sent, or emptied)."""
    Draft.objects.filter(agent=agent, conversation=conversation, kind=kind).delete()


@transaction.atomic
def saved_view_create(*, owner, name: str, query: str, shared: bool) -> SavedView:
    """Name the list's current filters and sort; shared views (admins and supervisors) show in everyone's sidebar."""
    name = name.strip()
    if not name or len(name) > 60:
        raise ValidationFailed(gettext("A view needs a name of at most 60 characters."), extra={"name": "1 to 60 characters"})
    if shared:
        require(owner, "team.manage")
    query = "&".join(part for part in query.split("&") if part and not part.startswith("page="))
    if SavedView.objects.filter(owner=owner, name__iexact=name).exists():
        raise ValidationFailed(gettext("You have a view with this name."), extra={"name": "taken"})
    view = SavedView.objects.create(owner=owner, name=name, query=query, shared=shared)
    audit_record(actor=owner, action="saved_view.created", target=view, changes={"shared": shared})
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, actor) -> None:
    """Remove a saved view: its owner may, and for a shared one whoever may share views."""
    if view.owner_id != actor.pk:
        require(actor, "team.manage")
        if not view.shared:
            raise ValidationFailed(gettext("Only its owner removes a personal view."), extra={"view": "not yours"})
    audit_record(actor=actor, action="saved_view.deleted", target=view, changes={"name": view.name})
    view.delete()


NOTIFICATION_KINDS = ("assignment", "customer_message", "mention", "browser", "sound")


@transaction.atomic
def notification_preferences_save(*, agent, **choices: bool) -> NotificationPreference:
    """Save what the agent wants to be told about and how (see NOTIFICATION_KINDS)."""
    unknown = set(choices) - set(NOTIFICATION_KINDS)
    if unknown:
        raise ValidationFailed(gettext("Unknown notification preferences."), extra={k: "unknown" for k in sorted(unknown)})
    preferences, _ = NotificationPreference.objects.update_or_create(agent=agent, defaults=choices)
    return preferences


def _notify(*, agent, conversation, kind: str, text: str, message_id: int | None = None) -> None:
    notification = Notification.objects.create(recipient=agent, conversation=conversation, message_id=message_id,
                                               kind=kind, text=text)
    events.publish("agent.notified", {"agent_id": agent.pk, "notification_id": notification.pk,
                                      "conversation_id": conversation.pk, "kind": kind, "text": text})


def notify_for_rule(*, agent, conversation, text: str) -> None:
    """Notify an agent for an automation rule; like every notification it is pushed to their open screens."""
    _notify(agent=agent, conversation=conversation, kind="rule", text=text)


@transaction.atomic
def notify_assignment(*, conversation_id: int, assignee_id: int | None, actor: dict) -> None:
    """Tell an agent a conversation was assigned to them, unless they took it themselves or do not want to know."""
    if assignee_id is None or actor.get("id") == assignee_id:
        return
    conversation = Conversation.objects.filter(pk=conversation_id, assignee_id=assignee_id).select_related("assignee").first()
    if conversation is None or not notification_preferences(agent=conversation.assignee).assignment:
        return
    with in_language_of(conversation.assignee):  # kept as written: in the words of the agent who reads it
        text = gettext("%(actor)s assigned you #%(number)s: %(subject)s") % {
            "actor": actor.get("label") or "Parley", "number": conversation.pk,
            "subject": conversation.subject or conversation.preview}
    _notify(agent=conversation.assignee, conversation=conversation, kind="assignment", text=text[:300])


def notify_customer_message(*, conversation_id: int, message_id: int) -> None:
    """Tell the assignee a customer wrote on their conversation, unless they do not want to know."""
    # Read before writing: nobody to tell (no assignee) needs no write lock.
    conversation = Conversation.objects.filter(pk=conversation_id, assignee__isnull=False).select_related("assignee", "contact").first()
    if conversation is None or not notification_preferences(agent=conversation.assignee).customer_message:
        return
    with in_language_of(conversation.assignee):
        text = gettext("%(customer)s wrote on #%(number)s: %(preview)s") % {
            "customer": conversation.contact, "number": conversation.pk, "preview": conversation.preview}
    with transaction.atomic():
        _notify(agent=conversation.assignee, conversation=conversation, kind="customer_message", message_id=message_id,
                text=text[:300])


# --- bulk actions ------------------------------------------------------------------------------------

BULK_QUEUE = "desk.bulk"
#: Conversations changed per transaction: the progress the page shows moves this often.
CHUNK = 25
#: The most conversations one bulk action changes; "all matching" beyond it is refused, not cut short.
MAX_CONVERSATIONS = 5000
ACTIONS = ("assign", "team", "status", "priority", "tags", "merge")


def _snapshot(conversation: Conversation) -> dict:
    return {"assignee_id": conversation.assignee_id, "team_id": conversation.team_id, "status": conversation.status,
            "custom_status_id": conversation.custom_status_id, "priority": conversation.priority,
            "tags": sorted(conversation.tags.values_list("name", flat=True))}


def _check_value(action: str, value):
    """Refuse a value the action cannot use before anything is queued."""
    checks = {
        "assign": lambda v: v is None or User.objects.filter(pk=v, is_active=True).exists(),
        "team": lambda v: v is None or Team.objects.filter(pk=v).exists(),
        "status": lambda v: v in Status.values or (isinstance(v, str) and v.startswith("custom-")
                                                   and CustomStatus.objects.filter(pk=v.removeprefix("custom-")).exists()),
        "priority": lambda v: v in Priority.values,
        "tags": lambda v: isinstance(v, list) and all(isinstance(t, str) and 0 < len(t.strip()) <= 50 for t in v) and v,
        "merge": lambda v: v is None,
    }
    if action not in checks:
        raise ValidationFailed(gettext("Unknown bulk action."), extra={"action": f"must be one of {', '.join(ACTIONS)}"})
    if not checks[action](value):
        raise ValidationFailed(gettext("That is not a value “%(action)s” can set.") % {"action": action}, extra={"value": "invalid"})


@transaction.atomic
def bulk_action_start(*, agent, action: str, value, conversation_ids: list[int], undo_of: BulkAction | None = None) -> BulkAction:
    """Queue one action on many conversations; the job applies it and the page follows its progress."""
    require(agent, "conversation.merge" if action == "merge" else "conversation.update")
    _check_value(action, value)
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        raise ValidationFailed(gettext("Select at least one conversation."), extra={"conversation_ids": "empty"})
    if len(ids) > MAX_CONVERSATIONS:
        raise ValidationFailed(gettext("One bulk action changes at most %(max)s conversations; narrow the list.")
                               % {"max": f"{MAX_CONVERSATIONS:,}"},
                               extra={"conversation_ids": "too many"})
    if action == "merge" and len(ids) < 2:
        raise ValidationFailed(gettext("Select two or more conversations to merge."), extra={"conversation_ids": "one"})
    bulk = BulkAction.objects.create(agent=agent, action=action, value=value, conversation_ids=ids, undo_of=undo_of)
    audit_record(actor=agent, action="bulk.started", target=bulk, changes={"action": action, "count": len(ids)})
    jobs.enqueue(BULK_QUEUE, bulk.pk)
    return bulk


def _apply(bulk: BulkAction, conversation: Conversation, agent) -> None:
    value = bulk.value
    if bulk.undo_of_id:
        _restore(conversation, bulk.undo_of.before.get(str(conversation.pk)), agent)
    elif bulk.action == "assign":
        conversation_services.conversation_assign(conversation=conversation, actor=agent, keep_team=True,
                                                  assignee=User.objects.get(pk=value) if value else None)
    elif bulk.action == "team":
        conversation_services.conversation_assign(conversation=conversation, actor=agent, assignee=conversation.assignee,
                                                  team=Team.objects.get(pk=value) if value else None)
    elif bulk.action == "status":
        custom = CustomStatus.objects.get(pk=value.removeprefix("custom-")) if value.startswith("custom-") else None
        conversation_services.conversation_set_status(conversation=conversation, actor=agent,
                                                      **({"custom_status": custom} if custom else {"status": value}))
    elif bulk.action == "priority":
        conversation_services.conversation_update(conversation=conversation, actor=agent, priority=value)
    elif bulk.action == "tags":
        current = list(conversation.tags.values_list("name", flat=True))
        conversation_services.conversation_set_tags(conversation=conversation, actor=agent, tags=[*current, *value])
    elif bulk.action == "merge":
        keep = Conversation.objects.get(pk=bulk.conversation_ids[0])
        if conversation.pk != keep.pk:
            conversation_services.conversation_merge(keep=keep, merge=conversation, actor=agent)


def _restore(conversation: Conversation, before: dict | None, agent) -> None:
    """Put a conversation back as it was before a bulk action (what changed since in between is overwritten)."""
    if before is None:
        raise ValidationFailed(gettext("This conversation was not changed by the bulk action."))
    conversation_services.conversation_assign(
        conversation=conversation, actor=agent, assignee=User.objects.filter(pk=before["assignee_id"]).first(),
        team=Team.objects.filter(pk=before["team_id"]).first())
    custom = CustomStatus.objects.filter(pk=before["custom_status_id"]).first()
    conversation_services.conversation_set_status(conversation=conversation, actor=agent,
                                                  **({"custom_status": custom} if custom else {"status": before["status"]}))
    conversation_services.conversation_update(conversation=conversation, actor=agent, priority=before["priority"])
    conversation_services.conversation_set_tags(conversation=conversation, actor=agent, tags=before["tags"])


def bulk_action_run(*, bulk_id: int) -> None:
    """Apply a bulk action to the conversations it has not reached yet, a chunk per transaction (the job's handler).

    A conversation the service refuses (a required field empty, another customer's in a merge) is
    listed with the reason and the rest go on; a job that dies mid-way resumes where `done` says.
    """
    bulk = BulkAction.objects.select_related("agent", "undo_of").get(pk=bulk_id)
    while bulk.done < bulk.total:
        with transaction.atomic():
            bulk = BulkAction.objects.select_for_update(of=("self",)).select_related("agent", "undo_of").get(pk=bulk_id)
            chunk = bulk.conversation_ids[bulk.done:bulk.done + CHUNK]
            conversations = {c.pk: c for c in Conversation.objects.filter(pk__in=chunk).select_related("assignee", "team")}
            for conversation_id in chunk:
                conversation = conversations.get(conversation_id)
                if conversation is None:
                    bulk.failures[str(conversation_id)] = stored_text(gettext("it no longer exists"))
                    continue
                bulk.before[str(conversation_id)] = _snapshot(conversation)
                try:
                    with transaction.atomic():
                        _apply(bulk, conversation, bulk.agent)
                except ApplicationError as exc:
                    bulk.failures[str(conversation_id)] = stored_text(exc.message)
                    del bulk.before[str(conversation_id)]
            bulk.done += len(chunk)
            if bulk.done >= bulk.total:
                bulk.finished_at = timezone.now()
            bulk.save(update_fields=["done", "failures", "before", "finished_at"])


@transaction.atomic
def bulk_action_dead(bulk_id: int, reason: str) -> None:
    """Finish a bulk action whose job gave up: the conversations it had not reached are listed with the reason."""
    bulk = BulkAction.objects.select_for_update().filter(pk=bulk_id).first()
    if bulk is None:
        return
    for conversation_id in bulk.conversation_ids[bulk.done:]:
        bulk.failures[str(conversation_id)] = stored_text(gettext("the bulk job stopped: %(reason)s") % {"reason": reason})
    bulk.done, bulk.finished_at = bulk.total, timezone.now()
    bulk.save(update_fields=["done", "failures", "finished_at"])


@transaction.atomic
def bulk_action_undo(*, bulk: BulkAction, agent) -> BulkAction:
    """Queue putting every conversation the bulk action changed back as it was."""
    if bulk.action == "merge":
        raise ValidationFailed(gettext("A merge cannot be undone: the messages moved into one conversation."), extra={"action": "merge"})
    if bulk.finished_at is None:
        raise ValidationFailed(gettext("Wait until the bulk action has finished."), extra={"bulk": "running"})
    if hasattr(bulk, "undone_by") or bulk.undo_of_id:
        raise ValidationFailed(gettext("This bulk action was already undone."), extra={"bulk": "undone"})
    return bulk_action_start(agent=agent, action=bulk.action, value=bulk.value, undo_of=bulk,
                             conversation_ids=[int(pk) for pk in bulk.before])
