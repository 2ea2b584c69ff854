"""Survey settings over the API (admins and supervisors)."""
from django.utils.translation import gettext
from ninja import Router, Schema

from parley.accounts.permissions import require
from parley.core.errors import ValidationFailed
from parley.surveys.forms import SurveySettingsForm
from parley.surveys.models import CesTrigger
from parley.surveys.selectors import survey_settings
from parley.surveys.services import survey_settings_update

router = Router(tags=["surveys"])


class SurveySettingsOut(Schema):
    csat_enabled: bool
    csat_question: str
    throttle_days: int
    ces_enabled: bool
    ces_trigger: CesTrigger
    ces_question: str


class SurveySettingsPatch(Schema):
    csat_enabled: bool | None = None
    csat_question: str | None = None
    throttle_days: int | None = None
    ces_enabled: bool | None = None
    ces_trigger: CesTrigger | None = None
    ces_question: str | None = None

    model_config = {"extra": "forbid"}


@router.get("/surveys/settings", response=SurveySettingsOut)
def survey_settings_get(request):
    """The survey settings: CSAT, throttling, and the flow after which CES is asked."""
    require(request.auth, "survey.manage")
    return survey_settings()


@router.patch("/surveys/settings", response=SurveySettingsOut)
def survey_settings_patch(request, payload: SurveySettingsPatch):
    """Change some survey settings; the others keep their value."""
    require(request.auth, "survey.manage")
    current = survey_settings()
    changes = payload.dict(exclude_none=True)
    form = SurveySettingsForm({**{f: getattr(current, f) for f in SurveySettingsForm.Meta.fields}, **changes}, instance=current)
    # A checkbox is sent only when ticked: a False must not be posted as the string "False".
    for field in ("csat_enabled", "ces_enabled"):
        if not form.data[field]:
            form.data.pop(field)
    if not form.is_valid():
        raise ValidationFailed(gettext("Some survey settings are not valid."),
                               extra={field: "; ".join(problems) for field, problems in form.errors.items()})
    return survey_settings_update(actor=request.auth, **{f: form.cleaned_data[f] for f in changes})
