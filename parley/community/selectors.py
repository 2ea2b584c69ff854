from django.db.models import Count, Prefetch, Q

from parley.community.models import Answer, Question, Topic, Visibility


def topics_with_counts() -> list[Topic]:
    return list(Topic.objects.annotate(question_count=Count("questions", filter=Q(questions__visibility=Visibility.VISIBLE))))


def visible_questions(*, topic: Topic | None = None, limit: int = 50) -> list[Question]:
    questions = Question.objects.filter(visibility=Visibility.VISIBLE).select_related("topic", "author") \
        .annotate(answer_count=Count("answers", filter=Q(answers__visibility=Visibility.VISIBLE)))
    if topic is not None:
        questions = questions.filter(topic=topic)
    return list(questions[:limit])


def question_with_answers(*, question_id: int, include_hidden: bool = False) -> Question | None:
    answers = Answer.objects.select_related("author", "agent")
    questions = Question.objects.select_related("topic", "author")
    if not include_hidden:
        answers = answers.filter(visibility=Visibility.VISIBLE)
        questions = questions.filter(visibility=Visibility.VISIBLE)
    return questions.prefetch_related(Prefetch("answers", queryset=answers)).filter(pk=question_id).first()


def questions_for_moderation(*, limit: int = 100) -> list[Question]:
    return list(Question.objects.select_related("topic", "author")
                .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("author", "agent")))[:limit])
