"""Every write to the community: questions and answers from signed-in customers, agents' answers, votes, moderation."""
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.core.errors import PermissionDenied, ValidationFailed
from parley.core.text import require_text, unique_slug
from parley.community.models import Answer, Question, Topic, Visibility, Vote
from parley.knowledge.rendering import render_markdown

MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 20_000


@transaction.atomic
def topic_create(*, name: str, description: str = "", actor) -> Topic:
    require(actor, "community.moderate")
    if not name.strip():
        raise ValidationFailed(gettext("A topic needs a name."), extra={"name": "required"})
    return Topic.objects.create(name=name.strip(), slug=unique_slug(Topic, name, "topic"), description=description.strip())


@transaction.atomic
def question_post(*, topic: Topic, author, title: str, body: str) -> Question:
    """A signed-in customer asks the community (Markdown, rendered and sanitized)."""
    require_text(gettext("The question"), title=(title, MAX_TITLE_CHARS), body=(body, MAX_BODY_CHARS))
    return Question.objects.create(topic=topic, author=author, title=title.strip(), body=body, html=render_markdown(body),
                                   created_at=timezone.now())


@transaction.atomic
def answer_post(*, question: Question, body: str, author=None, agent=None) -> Answer:
    """Answer as a signed-in customer (`author`) or as an agent (`agent`, shown with the staff badge)."""
    if agent is not None:
        require(agent, "community.moderate")
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.locked or question.visibility != Visibility.VISIBLE:
        raise PermissionDenied(gettext("This question is closed to new answers."), extra={"question": "locked"})
    require_text(gettext("The answer"), body=(body, MAX_BODY_CHARS))
    return Answer.objects.create(question=question, author=author, agent=agent, body=body, html=render_markdown(body),
                                 created_at=timezone.now())


@transaction.atomic
def answer_vote(*, answer: Answer, voter, value: int) -> Answer:
    """One vote per customer and answer (+1 or -1; voting again changes it)."""
    if value not in (1, -1):
        raise ValidationFailed(gettext("A vote is +1 or -1."), extra={"value": "one of 1, -1"})
    if answer.author_id == voter.pk:
        raise PermissionDenied(gettext("You cannot vote on your own answer."), extra={"answer": "own"})
    Vote.objects.update_or_create(answer=answer, voter=voter, defaults={"value": value})
    answer.score = Vote.objects.filter(answer=answer).aggregate(total=Sum("value"))["total"] or 0
    answer.save(update_fields=["score"])
    return answer


@transaction.atomic
def answer_accept(*, answer: Answer, by_contact=None, by_agent=None) -> Question:
    """The asker (or an agent) marks the answer that solved the question."""
    question = answer.question
    if by_agent is not None:
        require(by_agent, "community.moderate")
    elif by_contact is None or by_contact.pk != question.author_id:
        raise PermissionDenied(gettext("Only the person who asked can accept an answer."), extra={"question": "not yours"})
    question.accepted_answer = answer
    question.save(update_fields=["accepted_answer"])
    return question


@transaction.atomic
def question_moderate(*, question: Question, actor, visibility: str | None = None, locked: bool | None = None) -> Question:
    require(actor, "community.moderate")
    if visibility is not None:
        if visibility not in Visibility.values:
            raise ValidationFailed(gettext("Unknown visibility."), extra={"visibility": f"one of {', '.join(Visibility.values)}"})
        question.visibility = visibility
    if locked is not None:
        question.locked = locked
    question.save(update_fields=["visibility", "locked"])
    return question


@transaction.atomic
def answer_moderate(*, answer: Answer, actor, visibility: str) -> Answer:
    require(actor, "community.moderate")
    if visibility not in Visibility.values:
        raise ValidationFailed(gettext("Unknown visibility."), extra={"visibility": f"one of {', '.join(Visibility.values)}"})
    answer.visibility = visibility
    answer.save(update_fields=["visibility"])
    return answer


@transaction.atomic
def answer_promote(*, answer: Answer, section, actor):
    """Make a great answer a draft help-center article, titled by its question."""
    from parley.knowledge.services import article_create

    require(actor, "knowledge.edit")
    return article_create(section=section, title=answer.question.title, body=answer.body, author=actor,
                          tags=["community"])
