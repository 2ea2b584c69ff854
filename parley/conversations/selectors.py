"""Reads of conversations that views and the API share: inbox lists, filters, the timeline."""
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Q, QuerySet, When
from django.utils.functional import cached_property

from parley.accounts.models import User
from parley.accounts.security import team_scoped
from parley.channels.models import Inbox
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Message, Notification
from parley.search import search_conversations

#: The agent's standard views.
VIEWS = ("mine", "unassigned", "teams", "all")


@dataclass(frozen=True)
class ConversationFilters:
    view: str = "all"
    status: str = ""            # a status, or "active" for every not-yet-solved one; "" means any
    inbox_kind: str = ""
    inbox_id: int | None = None
    priority: str = ""
    tag: str = ""
    assignee_id: int | None = None
    team_id: int | None = None
    contact_id: int | None = None
    text: str = ""
    #: True: only conversations opened by an automatic message nobody has answered in; False: leave those out.
    automatic: bool | None = None
    organization_id: int | None = None
    custom_status_id: int | None = None
    #: Opened on or after / on or before these days (in the current time zone).
    created_from: date | None = None
    created_to: date | None = None
    #: One of ORDERS.
    order: str = "activity"


_PRIORITY_RANK = Case(*(When(priority=value, then=rank) for rank, value in enumerate(["urgent", "high", "normal", "low"])),
                      output_field=IntegerField())
#: How a list can be sorted: newest activity; the customer waiting longest for us; most urgent first; due soonest.
ORDERS = {
    "activity": ("-last_message_at", "-id"),
    "waiting": (F("last_inbound_at").asc(nulls_last=True), "id"),
    "priority": (_PRIORITY_RANK, "-last_message_at", "-id"),
    # The soonest SLA due time first; conversations without one last.
    "due": (F("sla__next_due_at").asc(nulls_last=True), "-last_message_at", "-id"),
}


def visible_to(user: User) -> Q:
    """Return what limits `user` to the conversations they may see: every one, or with team scoping on
    (Settings → Security) an agent's teams' conversations and those assigned to them."""
    if not team_scoped(user):
        return Q()
    return Q(team__in=user.teams.all()) | Q(assignee=user)


def visible_conversations(*, user: User) -> QuerySet:
    """Return every conversation `user` may open (merged ones included: they lead to the one they joined)."""
    return Conversation.objects.filter(visible_to(user))


def conversation_visible(*, user: User, conversation_id: int) -> bool:
    return visible_conversations(user=user).filter(pk=conversation_id).exists()


def team_scope(*, user: User) -> set[int] | None:
    """Return the team ids that limit what `user` sees live (with conversations assigned to them), or None for everything."""
    return set(user.teams.values_list("pk", flat=True)) if team_scoped(user) else None


def conversation_list(*, user: User, filters: ConversationFilters = ConversationFilters()) -> QuerySet:
    """Return the conversations `user` asked for in the order asked (newest activity first), merged ones left out."""
    # Customers and SLA clocks are as many as conversations: read for the page alone rather than joined to
    # every candidate row, which a rare search's thousands of matches would each pay for before sorting.
    qs = (visible_conversations(user=user).filter(merged_into__isnull=True)
          .select_related("inbox", "assignee", "team", "custom_status").prefetch_related("contact", "sla"))
    if filters.view in VIEWS:
        qs = qs.filter(_view_condition(filters.view, user))
    if filters.status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.inbox_kind:
        qs = qs.filter(inbox__kind=filters.inbox_kind)
    if filters.inbox_id:
        qs = qs.filter(inbox_id=filters.inbox_id)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag.lower())
    if filters.assignee_id:
        qs = qs.filter(assignee_id=filters.assignee_id)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.contact_id:
        qs = qs.filter(contact_id=filters.contact_id)
    if filters.automatic is not None:
        qs = qs.filter(started_automatic=filters.automatic)
    if filters.organization_id:
        qs = qs.filter(contact__organization_id=filters.organization_id)
    if filters.custom_status_id:
        qs = qs.filter(custom_status_id=filters.custom_status_id)
    if filters.created_from:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    if filters.text:
        qs = search_conversations(qs, filters.text)
    return qs.order_by(*ORDERS.get(filters.order, ORDERS["activity"]))


def conversation_row(*, conversation_id: int) -> Conversation | None:
    """Return one conversation with everything its row in the inbox list shows, or None once it is gone."""
    return (Conversation.objects.select_related("contact", "inbox", "assignee", "team", "custom_status", "sla")
            .prefetch_related("tags").filter(pk=conversation_id).first())


def conversation_contact_id(*, conversation_id: int) -> int | None:
    """Return the customer of a conversation (whose sockets hear an agent typing in it), or None when it is gone."""
    return Conversation.objects.filter(pk=conversation_id).values_list("contact_id", flat=True).first()


def visible_inbox_ids(*, user: User) -> list[int]:
    """Return the inboxes whose conversations `user` may see; live updates reach them through exactly these.

    Every agent sees every inbox today; scoping agents to their teams' inboxes narrows it here.
    """
    return list(Inbox.objects.order_by("pk").values_list("pk", flat=True))


#: Past this many a count says "999+", as large help desks do: counting on walks every matching conversation,
#: which at a million takes long enough to slow every page that shows the sidebar.
COUNT_CAP = 999


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """Return how many rows `queryset` holds, or cap + 1 when there are more than cap."""
    return queryset.order_by()[:cap + 1].count()


class ListPaginator(Paginator):
    """Pages of a conversation list that count no further than COUNT_CAP rows, or than the page asked for needs.

    Past that the list says "999+ conversations" and "Page 1 of 20+": an exact count walks every match, which
    for a common word at a million conversations takes seconds, on every page.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, page_number: int | None):
        super().__init__(object_list, per_page)
        self.cap = max(COUNT_CAP, (page_number or 1) * per_page)

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, cap=self.cap)

    @property
    def counted_all(self) -> bool:
        return self.count <= self.cap

    @property
    def count_label(self) -> str:
        return str(self.count) if self.counted_all else f"{self.cap}+"

    @property
    def pages_label(self) -> str:
        return str(self.num_pages) if self.counted_all else f"{self.num_pages}+"


def view_counts(*, user: User) -> dict[str, int]:
    """Return how many active conversations each standard view holds (for the sidebar), capped (see COUNT_CAP)."""
    active = visible_conversations(user=user).filter(merged_into__isnull=True, status__in=ACTIVE_STATUSES)
    return {view: capped_count(active.filter(_view_condition(view, user))) for view in VIEWS}


def _view_condition(view: str, user: User) -> Q:
    """Return what puts a conversation in one of the standard views, for the list and its count alike."""
    return {
        "mine": Q(assignee=user),
        "unassigned": Q(assignee__isnull=True),
        "teams": Q(team__in=user.teams.all()),
        "all": Q(),
    }[view]


def conversation_timeline(*, conversation: Conversation, include_private: bool = True, after_id: int | None = None,
                          message_id: int | None = None) -> QuerySet:
    """Return the conversation's messages and events in order; customers get public ones only.

    `after_id` keeps only items added after that one (what an open timeline appends);
    `message_id` keeps only that item (one whose delivery status changed).
    """
    qs = conversation.messages.select_related("author", "sender_contact").prefetch_related("attachments", "mentions")
    if not include_private:
        qs = qs.filter(Q(kind__in=("reply", "bot")))
    if after_id is not None:
        qs = qs.filter(id__gt=after_id)
    if message_id is not None:
        qs = qs.filter(id=message_id)
    return qs.order_by("created_at", "id")


def contact_timeline(*, contact_id: int, user: User) -> QuerySet:
    """Return every conversation of a contact `user` may see across all channels, newest first (the unified profile)."""
    return (visible_conversations(user=user).filter(contact_id=contact_id)
            .select_related("inbox", "assignee").order_by("-last_message_at"))


def notification_list(*, user: User, limit: int = 100) -> list[Notification]:
    """Return the agent's latest notifications (@mentions, assignments), newest first."""
    return list(Notification.objects.filter(recipient=user).select_related("conversation")[:limit])


def unread_notification_count(*, user: User) -> int:
    """Return how many of the agent's notifications are unread (the header badge)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def contact_messages(*, contact_id: int, user: User, limit: int = 200) -> list[Message]:
    """Return the contact's latest public messages across channels that `user` may see, for the one-timeline profile."""
    return list(Message.objects.filter(conversation__in=visible_conversations(user=user), conversation__contact_id=contact_id,
                                       kind__in=("reply", "bot"))
                .select_related("conversation__inbox", "author").order_by("-created_at")[:limit])
