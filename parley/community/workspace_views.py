"""Community moderation in the workspace: topics, hide / lock / mark spam, answer as staff, promote an answer to an article."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parley.community import selectors, services
from parley.community.models import Answer, Question
from parley.core.errors import ApplicationError
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Your role may not moderate the community.")


@login_required
@require_GET
def moderation(request):
    allowed(request, "community.moderate", REFUSAL)
    return render(request, "community/workspace/moderation.html", {
        "section": "community", "topics": selectors.topics_with_counts(), "questions": selectors.questions_for_moderation()})


@login_required
@require_POST
def topic_new(request):
    allowed(request, "community.moderate", REFUSAL)
    try:
        services.topic_create(name=request.POST.get("name", ""), description=request.POST.get("description", ""),
                              actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("community-moderation:home")


#: Moderation buttons: action name -> the change it makes to a question.
QUESTION_ACTIONS = {"hide": {"visibility": "hidden"}, "spam": {"visibility": "spam"}, "show": {"visibility": "visible"},
                    "lock": {"locked": True}, "unlock": {"locked": False}}
ANSWER_ACTIONS = {"hide": "hidden", "spam": "spam", "show": "visible"}


@login_required
@require_POST
def question_action(request, question_id: int, action: str):
    allowed(request, "community.moderate", REFUSAL)
    question = get_object_or_404(Question, pk=question_id)
    try:
        if action == "answer":
            services.answer_post(question=question, agent=request.user, body=request.POST.get("body", ""))
        elif action in QUESTION_ACTIONS:
            services.question_moderate(question=question, actor=request.user, **QUESTION_ACTIONS[action])
        else:
            messages.error(request, gettext("Unknown action %(action)r.") % {"action": action})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("community-moderation:home")


@login_required
@require_POST
def answer_action(request, answer_id: int, action: str):
    allowed(request, "community.moderate", REFUSAL)
    answer = get_object_or_404(Answer.objects.select_related("question"), pk=answer_id)
    try:
        if action == "promote":
            from parley.knowledge.selectors import sections

            shelves = sections()
            if not shelves:
                messages.error(request, gettext("Add a help-center category and section first."))
                return redirect("knowledge:structure")
            article = services.answer_promote(answer=answer, section=shelves[0], actor=request.user)
            messages.info(request, gettext("The answer is now a draft article: edit it, then publish."))
            return redirect("knowledge:article", article.pk)
        if action == "accept":
            services.answer_accept(answer=answer, by_agent=request.user)
        elif action in ANSWER_ACTIONS:
            services.answer_moderate(answer=answer, actor=request.user, visibility=ANSWER_ACTIONS[action])
        else:
            messages.error(request, gettext("Unknown action %(action)r.") % {"action": action})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("community-moderation:home")
