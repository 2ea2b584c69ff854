"""The customer's answer page (reached by a signed link) and Settings → Surveys in the workspace."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from parley.core.errors import ApplicationError
from parley.portal.services import company_name
from parley.surveys import selectors, services
from parley.surveys.models import NpsCampaign
from parley.surveys.forms import AnswerForm, CommentForm, NpsCampaignForm, SurveySettingsForm
from parley.surveys.scores import LABELS
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Only admins and supervisors manage surveys.")


def _answer_page(request, survey, *, error: str = "", status: int = 200):
    low, high = survey.scale
    labels = LABELS[survey.kind]
    context = {"survey": survey, "company_name": company_name(), "error": error,
               "scores": [(score, labels.get(score, "")) for score in range(low, high + 1)]}
    return render(request, "surveys/answer.html", context, status=status)


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    """Show a survey to the customer and record their answer; one-click links carry the score in the URL."""
    try:
        survey = selectors.survey_for_token(token=token)
    except ApplicationError as exc:
        return render(request, "surveys/answer_invalid.html", {"company_name": company_name(), "error": exc.message},
                      status=exc.status)
    try:
        if request.method == "GET" and "score" in request.GET and survey.answered_at is None:
            score = request.GET["score"]
            if not score.isdigit():
                return _answer_page(request, survey, error=gettext("Choose one of the scores below."), status=422)
            survey = services.survey_answer(survey=survey, score=int(score))
        elif request.method == "POST":
            form = (AnswerForm if survey.answered_at is None else CommentForm)(request.POST)
            if not form.is_valid():
                return _answer_page(request, survey, error=gettext("Choose a score; a comment is at most 4000 characters."), status=422)
            if survey.answered_at is None:
                survey = services.survey_answer(survey=survey, **form.cleaned_data)
            else:
                survey = services.survey_add_comment(survey=survey, comment=form.cleaned_data["comment"])
    except ApplicationError as exc:
        survey.refresh_from_db()
        return _answer_page(request, survey, error=exc.message, status=exc.status)
    return _answer_page(request, survey)


def _settings_render(request, *, form=None, campaign_form=None, status=200):
    allowed(request, "survey.manage", REFUSAL)
    context = {"form": form or SurveySettingsForm(instance=selectors.survey_settings()),
               "campaign_form": campaign_form or NpsCampaignForm(), "campaigns": selectors.nps_campaign_list(),
               "section": "surveys"}
    return render(request, "surveys/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """Settings → Surveys: CSAT, throttling, CES flow, and the NPS campaigns."""
    allowed(request, "survey.manage", REFUSAL)
    if request.method == "GET":
        return _settings_render(request)
    form = SurveySettingsForm(request.POST, instance=selectors.survey_settings())
    if not form.is_valid():
        return _settings_render(request, form=form, status=422)
    services.survey_settings_update(actor=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields})
    messages.success(request, gettext("Survey settings saved."))
    return redirect("surveys:settings")


@login_required
@require_POST
def campaign_new(request):
    """Create an NPS campaign from Settings → Surveys."""
    allowed(request, "survey.manage", REFUSAL)
    form = NpsCampaignForm(request.POST)
    if form.is_valid():
        try:
            campaign = services.nps_campaign_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            fields = [field for field in exc.extra if field in form.fields]
            form.add_error(fields[0] if fields else None, exc.message)
        else:
            messages.success(request, gettext("The NPS campaign “%(campaign)s” was created.") % {"campaign": campaign})
            return redirect("surveys:settings")
    return _settings_render(request, campaign_form=form, status=422)


@login_required
@require_POST
def campaign_set_active(request, campaign_id: int):
    """Pause or resume an NPS campaign from Settings → Surveys."""
    allowed(request, "survey.manage", REFUSAL)
    campaign = get_object_or_404(NpsCampaign, pk=campaign_id)
    campaign = services.nps_campaign_set_active(actor=request.user, campaign=campaign, is_active=request.POST.get("active") == "1")
    done = gettext("The NPS campaign “%(campaign)s” is running.") if campaign.is_active else gettext(
        "The NPS campaign “%(campaign)s” is paused.")
    messages.success(request, done % {"campaign": campaign})
    return redirect("surveys:settings")
