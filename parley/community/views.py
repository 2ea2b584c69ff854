"""The community in the customer portal: anyone reads; signed-in customers ask, answer, vote and accept."""
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.community import selectors, services
from parley.community.forms import AnswerForm, QuestionForm
from parley.community.models import Answer, Topic
from parley.core.errors import ApplicationError
from parley.portal.services import company_name
from parley.portal.views import _signed_in, customer_required


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, f"community/{template}", {"company_name": company_name(), "customer": _signed_in(request),
                                                     **context}, status=status)


@require_GET
def home(request):
    return _render(request, "home.html", {"topics": selectors.topics_with_counts(), "questions": selectors.visible_questions()})


@require_GET
def topic(request, slug: str):
    found = get_object_or_404(Topic, slug=slug)
    return _render(request, "topic.html", {"topic": found, "questions": selectors.visible_questions(topic=found)})


@require_GET
def question(request, question_id: int):
    found = selectors.question_with_answers(question_id=question_id)
    if found is None:
        raise Http404("No such question.")
    return _render(request, "question.html", {"question": found, "form": AnswerForm()})


@customer_required
@require_http_methods(["GET", "POST"])
def ask(request, slug: str):
    found = get_object_or_404(Topic, slug=slug)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            posted = services.question_post(topic=found, author=request.customer, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("community:question", posted.pk)
    return _render(request, "ask.html", {"topic": found, "form": form}, status=400 if form.errors else 200)


@customer_required
@require_POST
def answer(request, question_id: int):
    found = selectors.question_with_answers(question_id=question_id)
    if found is None:
        raise Http404("No such question.")
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_post(question=found, author=request.customer, body=form.cleaned_data["body"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("community:question", found.pk)
    return _render(request, "question.html", {"question": found, "form": form}, status=400)


@customer_required
@require_POST
def vote(request, answer_id: int):
    found = get_object_or_404(Answer.objects.select_related("question"), pk=answer_id, visibility="visible")
    try:
        services.answer_vote(answer=found, voter=request.customer, value=1 if request.POST.get("value") == "up" else -1)
    except ApplicationError as exc:
        question_page = selectors.question_with_answers(question_id=found.question_id)
        return _render(request, "question.html", {"question": question_page, "form": AnswerForm(), "error": exc.message},
                       status=400)
    return redirect("community:question", found.question_id)


@customer_required
@require_POST
def accept(request, answer_id: int):
    found = get_object_or_404(Answer.objects.select_related("question"), pk=answer_id, visibility="visible")
    try:
        services.answer_accept(answer=found, by_contact=request.customer)
    except ApplicationError as exc:
        question_page = selectors.question_with_answers(question_id=found.question_id)
        return _render(request, "question.html", {"question": question_page, "form": AnswerForm(), "error": exc.message},
                       status=403)
    return redirect("community:question", found.question_id)
