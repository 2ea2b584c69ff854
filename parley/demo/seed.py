"""Seed the demo workspace through the real services, the same way from the same seed.

Every record is made by the service that makes it in production (agents, inboxes,
customers' messages through message_receive, replies through message_reply …), with
history backdated over the past weeks so lists, timelines and reports look lived in.
Only the admin password is random; it is returned so it can be shown once.
"""
import random
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from parley.accounts.models import Role, User
from parley.accounts.services import agent_create, agent_set_availability, team_create
from parley.channels.base import InboundMessage
from parley.channels.models import Inbox
from parley.channels.registry import kinds
from parley.channels.services import inbox_create
from parley.contacts.models import Contact, IdentityKind
from parley.contacts.services import (
    contact_create, contact_resolve_identity, contact_set_segments, organization_create, segment_create,
)
from parley.conversations.models import Conversation, DeliveryStatus, Status
from parley.conversations.services import (
    conversation_assign, conversation_create, conversation_escalate, conversation_link, conversation_set_status,
    conversation_set_tags, custom_status_create, message_note, message_receive, message_reply, message_set_delivery,
)
from parley.core.errors import ApplicationError, ValidationFailed
from parley.demo import content

CONVERSATIONS = 150
CUSTOMERS = 40
HISTORY_DAYS = 42

#: The demo's inboxes by channel kind; a kind is used only when its channel is registered.
INBOXES = [
    ("webform", "Contact form", {}, 3),
    ("api", "Mobile app (API)", {}, 2),
    ("email", "Support email", {"addresses": [f"support@{content.DOMAIN}"]}, 4),
    ("chat", "Website chat", {"proactive_message": "Questions about delivery? We're here.", "proactive_delay_seconds": 10,
                              "proactive_paths": ["/demo/shop/checkout/"]}, 3),
]
#: How each kind knows a customer; kinds not listed use an external id.
IDENTITY_KINDS = {"webform": (IdentityKind.EMAIL, ""), "email": (IdentityKind.EMAIL, ""), "chat": (IdentityKind.HANDLE, "chat")}

Progress = Callable[[int, int], None]


class DemoDataExists(ApplicationError):
    """The demo only goes into an empty workspace; resetting is an explicit, separate step."""

    status = 409


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def workspace_has_data() -> bool:
    """Return whether any agent, inbox or customer exists."""
    return User.objects.exists() or Inbox.objects.exists() or Contact.objects.exists()


def demo_seed(*, seed: int = 1, progress: Progress | None = None, now: datetime | None = None) -> DemoLogin:
    """Create the demo workspace in an empty database and return the admin's login."""
    if workspace_has_data():
        raise DemoDataExists("The database already has agents, inboxes or customers; the demo is only seeded "
                             "into an empty workspace.", extra={"database": "not empty"})
    password = secrets.token_urlsafe(12)
    director = _Director(random.Random(seed), now or timezone.now())
    with transaction.atomic():
        director.cast(password)
    plans = sorted((director.plan() for _ in range(CONVERSATIONS)), key=lambda plan: plan.start)
    played = []
    for done, plan in enumerate(plans, 1):
        with transaction.atomic():
            played.append((plan, director.play(plan)))
        if progress:
            progress(done, len(plans))
    with transaction.atomic():
        director.escalate_and_link(played)
    return DemoLogin(email=content.ADMIN[0], password=password)


def demo_reset(*, seed: int = 1, progress: Progress | None = None) -> DemoLogin:
    """Delete everything in the database, then seed the demo workspace."""
    call_command("flush", interactive=False, verbosity=0)
    return demo_seed(seed=seed, progress=progress)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass
class _Plan:
    """One conversation to play: who, where, what about, how it ends, and when it starts."""

    story: content.Story
    customer: Contact
    inbox: Inbox
    status: str
    priority: str
    start: datetime
    words: dict
    cc: Contact | None
    follow_up: bool
    note: bool


class _Director:
    """Holds the cast and the random source, and turns plans into conversations."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now

    def cast(self, password: str) -> None:
        admin_email, admin_name = content.ADMIN
        self.admin = agent_create(email=admin_email, name=admin_name, password=password, role=Role.ADMIN)
        # Only the admin gets a password (hashing is slow by design); the admin can set the others'.
        staff = [agent_create(email=f"{_ascii(name).replace(' ', '.')}@{content.DOMAIN}", name=name, role=role,
                              actor=self.admin) for name, role, _ in content.STAFF]
        self.supervisor = next(s for s in staff if s.role == Role.SUPERVISOR)
        self.teams = {name: team_create(name=name, description=description, actor=self.admin, member_ids=[
            s.pk for s, (_, _, teams) in zip(staff, content.STAFF) if name in teams]) for name, description in content.TEAMS.items()}
        for person in staff:
            agent_set_availability(user=person, availability=self.rng.choice(["online", "online", "away", "offline"]))
        self.segments = {name: segment_create(name=name, color=color, actor=self.admin) for name, color in content.SEGMENTS.items()}
        self.customers = self._customers()
        self.inboxes = []
        for kind, name, config, weight in INBOXES:
            if kind in kinds():
                try:
                    self.inboxes.append((inbox_create(name=name, kind=kind, config=config, actor=self.admin), weight))
                except ValidationFailed:
                    continue  # a channel whose configuration the demo cannot supply is left out
        self.waiting_on_vendor = custom_status_create(name="Waiting on vendor", category=Status.ON_HOLD, actor=self.admin)

    def _customers(self) -> list[Contact]:
        organizations = [(organization_create(name=name, domain=domain, actor=self.admin), segments)
                         for name, domain, segments in content.ORGANIZATIONS]
        names = self.rng.sample([(f, l) for f in content.FIRST_NAMES for l in content.LAST_NAMES], CUSTOMERS)
        customers, self.vips = [], set()
        for i, (first, last) in enumerate(names):
            organization, segments = organizations[i % len(organizations)] if i < 3 * len(organizations) else (None, ())
            domain = organization.domain if organization else "mail.example"
            plan = self.rng.choice(content.PLANS)
            customer = contact_create(
                name=f"{first} {last}", email=f"{_ascii(first)}.{_ascii(last)}@{domain}", organization=organization,
                phone=f"+49 30 {self.rng.randint(1000000, 9999999)}" if self.rng.random() < 0.4 else "",
                custom_attributes={"plan": plan, "country": self.rng.choice(content.COUNTRIES)}, actor=self.admin)
            names_of = set(segments) | ({"Trial"} if plan == "Free" else set()) | ({"VIP"} if self.rng.random() < 0.1 else set())
            contact_set_segments(contact=customer, segments=[self.segments[n] for n in sorted(names_of)], actor=self.admin)
            if "VIP" in names_of:
                self.vips.add(customer.pk)
            customers.append(customer)
        return customers

    def plan(self) -> _Plan:
        rng = self.rng
        story = rng.choice(content.STORIES)
        # A few customers write often, most write once or twice, as in any real help desk.
        customer = rng.choices(self.customers, weights=[1 / (i + 1) ** 0.6 for i in range(len(self.customers))])[0]
        inbox = rng.choices([i for i, _ in self.inboxes], weights=[w for _, w in self.inboxes])[0]
        age = timedelta(days=HISTORY_DAYS * rng.random() ** 1.4, minutes=30)
        status = rng.choices(*_STATUS_ODDS[0 if age < timedelta(days=1) else 1 if age < timedelta(days=7) else 2])[0]
        priority = story.priority
        if priority == "normal" and customer.pk in self.vips:
            priority = "high"
        if rng.random() < 0.05:
            priority = "urgent"
        colleagues = [c for c in self.customers if c.organization_id and c.organization_id == customer.organization_id and c != customer]
        return _Plan(
            story=story, customer=customer, inbox=inbox, status=status, priority=priority, start=self.now - age,
            words={"first": customer.name.split()[0], "order": f"#{rng.randint(10000, 99999)}", "invoice": f"INV-{rng.randint(10000, 99999)}"},
            cc=rng.choice(colleagues) if colleagues and rng.random() < 0.08 else None,
            follow_up=rng.random() < 0.5, note=bool(story.note) and rng.random() < 0.4,
        )

    def _clock(self, plan: _Plan, steps: int):
        """Yield `steps` times after the start, gaps like a help desk's, all before now."""
        gaps = [self.rng.lognormvariate(4.0, 1.2)] + [self.rng.lognormvariate(5.0, 1.0) for _ in range(steps - 1)]
        room = (self.now - plan.start).total_seconds() / 60 - 10
        scale = min(1.0, room / sum(gaps))
        at = plan.start
        for gap in gaps:
            at += timedelta(minutes=max(1.0, gap * scale))
            yield min(at, self.now - timedelta(minutes=5))

    def play(self, plan: _Plan) -> Conversation:
        rng, story, words = self.rng, plan.story, plan.words
        kind, network = IDENTITY_KINDS.get(plan.inbox.kind, (IdentityKind.EXTERNAL_ID, ""))
        source_id = plan.customer.email if kind == IdentityKind.EMAIL else f"demo-{plan.customer.pk}"
        contact = contact_resolve_identity(inbox=plan.inbox, kind=kind, network=network, source_id=source_id,
                                           email=plan.customer.email)
        conversation = conversation_create(inbox=plan.inbox, contact=contact, subject=rng.choice(story.subjects).format(**words),
                                           priority=plan.priority, type=story.type, created_at=plan.start)
        serial = iter(range(1, 100))

        def receive(text: str, at: datetime, cc: Contact | None = None) -> None:
            message_receive(inbox=plan.inbox, received_at=at, inbound=InboundMessage(
                external_id=f"demo-{conversation.pk}-{next(serial)}", identity_kind=kind, identity_network=network,
                source_id=source_id,
                text=text.format(**words), contact_email=plan.customer.email, conversation_id=conversation.pk,
                participants=((cc.name, cc.email),) if cc else ()))
            # message_receive saved its own copy of the conversation; later services must start from it.
            conversation.refresh_from_db()

        receive(story.opening, plan.start, plan.cc)
        team = self.teams[story.team]
        if plan.status == Status.NEW:
            if rng.random() < 0.5:
                conversation_assign(conversation=conversation, actor=self.supervisor, team=team, at=plan.start + timedelta(minutes=2))
            conversation_set_tags(conversation=conversation, actor=self.admin, tags=list(story.tags))
            return conversation
        members = list(team.members.exclude(role=Role.LIGHT_AGENT))
        agent = rng.choice(members)
        words = {**words, "agent": agent.name.split()[0]}
        rounds = 2 if plan.follow_up or plan.status in (Status.OPEN, Status.CLOSED) else 1
        clock = self._clock(plan, 2 * rounds + 2)
        conversation_assign(conversation=conversation, actor=rng.choice([self.supervisor, agent]), assignee=agent, team=team,
                            at=plan.start + timedelta(minutes=1))
        if plan.note:
            colleague = rng.choice(list(team.members.exclude(pk=agent.pk)) or [self.supervisor])
            author = rng.choice(list(team.members.filter(role=Role.LIGHT_AGENT)) or [agent])
            message_note(conversation=conversation, author=author, text=story.note.format(**words, colleague=colleague.name.split()[0]),
                         created_at=plan.start + timedelta(minutes=3))
        for turn in range(rounds):
            last = turn == rounds - 1
            text = story.replies[min(turn, len(story.replies) - 1)]
            if last and plan.status == Status.ON_HOLD:
                text = content.VENDOR_WAIT
            final = {Status.PENDING: Status.PENDING, Status.SOLVED: Status.SOLVED, Status.CLOSED: Status.SOLVED}.get(plan.status)
            reply = message_reply(conversation=conversation, author=agent, created_at=next(clock),
                                  text=f"{text.format(**words)}\n\n{rng.choice(content.SIGN_OFFS)}\n{agent.name.split()[0]}",
                                  status=final if last else Status.PENDING)
            if reply.delivery_status == DeliveryStatus.QUEUED:
                # History: these replies reached the customer long ago; nothing is to be sent now.
                message_set_delivery(message=reply, status=DeliveryStatus.SENT, at=reply.created_at)
            if not last or plan.status == Status.OPEN:
                receive(story.follow_ups[min(turn, len(story.follow_ups) - 1)], next(clock))
        if plan.status == Status.ON_HOLD:
            custom = self.waiting_on_vendor if rng.random() < 0.6 else None
            conversation_set_status(conversation=conversation, actor=agent, status=Status.ON_HOLD, custom_status=custom, at=next(clock))
        if plan.status == Status.CLOSED:
            conversation_set_status(conversation=conversation, actor=self.supervisor, status=Status.CLOSED, at=next(clock))
        tags = list(story.tags) + (["vip"] if plan.customer.pk in self.vips else [])
        conversation_set_tags(conversation=conversation, actor=agent, tags=tags)
        return conversation

    def escalate_and_link(self, played: list[tuple[_Plan, Conversation]]) -> None:
        """Escalate a few live conversations and link reports of the same problem (both happen today)."""
        live = [c for p, c in played if p.status in (Status.OPEN, Status.PENDING) and p.story.team != "Technical"]
        for conversation in self.rng.sample(live, min(5, len(live))):
            conversation_escalate(conversation=conversation, actor=self.supervisor, team=self.teams["Technical"],
                                  reason=self.rng.choice(content.ESCALATION_REASONS))
        bugs = [c for p, c in played if p.story.type == "incident" and p.story.team == "Technical"]
        for first, second in zip(bugs[0:6:2], bugs[1:6:2]):
            conversation_link(conversation=first, other=second, actor=self.supervisor)


#: (statuses, weights) by age: under a day, under a week, older.
_STATUS_ODDS = [
    ([Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD], [35, 35, 20, 10]),
    ([Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED], [5, 25, 25, 10, 35]),
    ([Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED], [5, 5, 5, 40, 45]),
]
