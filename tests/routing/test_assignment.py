"""Routing: conversations reach agents by the team's strategy, within capacity, or wait in the queue."""
from datetime import timedelta

from django.utils import timezone

from parley.accounts.models import Availability
from parley.accounts.services import agent_set_availability
from parley.conversations.models import MessageKind, Status
from parley.conversations.services import conversation_set_status, conversation_set_tags, message_reply
from parley.routing import services
from parley.routing.models import Assignment, QueuedConversation, Strategy


def test_round_robin_hands_conversations_to_each_agent_in_turn(policy, crew, write_in):
    policy(Strategy.ROUND_ROBIN)

    assignees = [write_in().assignee for _ in range(4)]

    assert assignees == [crew[0], crew[1], crew[2], crew[0]]


def test_the_assignment_is_attributed_to_routing_in_the_timeline(policy, crew, write_in):
    policy(Strategy.ROUND_ROBIN)

    conversation = write_in()

    note = conversation.messages.filter(kind=MessageKind.EVENT).last()
    assert note.text == "rule 'Routing: Support' assigned this to Ana Alpha in Support."
    assert note.metadata["actor"]["kind"] == "rule"
    assert conversation.status == Status.OPEN


def test_least_loaded_fills_the_emptiest_agent_and_respects_capacity_per_channel(policy, crew, supervisor, write_in):
    policy(Strategy.LEAST_LOADED)
    ana, ben, cleo = crew
    services.agent_routing_set(agent=ana, actor=supervisor, skills=[], capacity={"api": 1}, default_capacity=10)
    services.agent_routing_set(agent=ben, actor=supervisor, skills=[], capacity={"api": 2}, default_capacity=10)
    services.agent_routing_set(agent=cleo, actor=supervisor, skills=[], capacity={"api": 0}, default_capacity=10)

    assignees = [write_in().assignee for _ in range(4)]

    assert assignees[:3].count(ana) == 1 and assignees[:3].count(ben) == 2 and cleo not in assignees
    assert assignees[3] is None
    waiting = QueuedConversation.objects.get()
    assert waiting.reason == "every agent with room is at capacity"


def test_a_waiting_conversation_is_assigned_when_an_agent_solves_one(policy, crew, supervisor, write_in, on_commit):
    policy(Strategy.LEAST_LOADED)
    for agent in crew:
        services.agent_routing_set(agent=agent, actor=supervisor, skills=[], capacity={"api": 1}, default_capacity=1)
    held = [write_in() for _ in range(3)]
    waiting = write_in()
    assert waiting.assignee is None

    with on_commit():
        conversation_set_status(conversation=held[1], actor=held[1].assignee, status=Status.SOLVED)

    waiting.refresh_from_db()
    assert waiting.assignee == held[1].assignee
    assert not QueuedConversation.objects.exists()


def test_nobody_online_means_the_queue_until_an_agent_comes_online(policy, crew, write_in, on_commit):
    policy(Strategy.ROUND_ROBIN)
    for agent in crew:
        agent_set_availability(user=agent, availability=Availability.AWAY)

    conversation = write_in()
    assert conversation.assignee is None
    assert QueuedConversation.objects.get().reason == "no agent is online"

    with on_commit():
        agent_set_availability(user=crew[2], availability=Availability.ONLINE)

    conversation.refresh_from_db()
    assert conversation.assignee == crew[2]


def test_skills_based_routing_gives_a_tagged_conversation_to_an_agent_with_that_skill(policy, crew, supervisor, write_in, on_commit):
    policy(Strategy.SKILLS)
    spanish = services.skill_create(name="Spanish", actor=supervisor)
    services.agent_routing_set(agent=crew[2], actor=supervisor, skills=[spanish], capacity={}, default_capacity=5)
    policy(Strategy.MANUAL)
    conversation = write_in("Hola")
    with on_commit():
        conversation_set_tags(conversation=conversation, actor=supervisor, tags=["spanish"])

    with on_commit():
        policy(Strategy.SKILLS)
    services.conversation_route(conversation_id=conversation.pk)

    conversation.refresh_from_db()
    assert conversation.assignee == crew[2]


def test_without_an_agent_with_the_skill_it_waits_and_says_why(policy, supervisor, write_in, on_commit):
    services.skill_create(name="german", actor=supervisor)
    policy(Strategy.MANUAL)
    conversation = write_in("Hallo")
    with on_commit():
        conversation_set_tags(conversation=conversation, actor=supervisor, tags=["german"])
        policy(Strategy.SKILLS)

    assert services.conversation_route(conversation_id=conversation.pk) is None
    assert QueuedConversation.objects.get(conversation=conversation).reason == "no online agent has the skills it needs"


def test_outside_business_hours_conversations_wait(policy, supervisor, write_in):
    every_day = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    closed_today = services.calendar_save(actor=supervisor, name="Office", time_zone="UTC", hours=every_day)
    services.holiday_add(calendar=closed_today, actor=supervisor, day=timezone.now().date(), name="Today")
    policy(Strategy.ROUND_ROBIN, calendar=closed_today)

    conversation = write_in()

    assert conversation.assignee is None
    assert QueuedConversation.objects.get(conversation=conversation).reason == "outside business hours"


def test_manual_routing_leaves_conversations_for_agents_to_pick(policy, crew, write_in):
    policy(Strategy.MANUAL)

    conversation = write_in()

    assert conversation.assignee is None
    assert not QueuedConversation.objects.exists()


def test_switching_to_manual_empties_the_queue(policy, crew, write_in):
    policy(Strategy.ROUND_ROBIN)
    for agent in crew:
        agent_set_availability(user=agent, availability=Availability.OFFLINE)
    write_in()
    assert QueuedConversation.objects.exists()

    policy(Strategy.MANUAL)

    assert not QueuedConversation.objects.exists()


def test_an_idle_agent_loses_the_conversation_to_the_next_one_with_a_note(policy, crew, write_in, on_commit):
    policy(Strategy.ROUND_ROBIN, idle_reassign_minutes=30)
    conversation = write_in("Anyone there?")
    assert conversation.assignee == crew[0]

    # Not yet: the customer has waited 10 minutes.
    assert services.assignments_reassign_idle(now=timezone.now() + timedelta(minutes=10)) == 0
    with on_commit():
        moved = services.assignments_reassign_idle(now=timezone.now() + timedelta(minutes=31))

    conversation.refresh_from_db()
    assert moved == 1
    assert conversation.assignee == crew[1]
    notes = list(conversation.messages.filter(kind=MessageKind.EVENT).values_list("text", flat=True))
    assert any(n.startswith("No reply from Ana Alpha in 30 minutes") for n in notes)


def test_an_agent_who_replied_keeps_the_conversation(policy, crew, write_in, on_commit):
    policy(Strategy.ROUND_ROBIN, idle_reassign_minutes=30)
    conversation = write_in("Anyone there?")
    with on_commit():
        message_reply(conversation=conversation, author=crew[0], text="On it!")

    assert services.assignments_reassign_idle(now=timezone.now() + timedelta(hours=2)) == 0
    conversation.refresh_from_db()
    assert conversation.assignee == crew[0]
    assert Assignment.objects.get(conversation=conversation).agent == crew[0]
