"""How answers count: what a good CSAT or CES answer is, and the NPS arithmetic."""
from django.utils.translation import gettext_lazy as _

from parley.surveys.models import SurveyKind

#: An answer at or above this score is a satisfied customer (CSAT 4–5), an easy experience (CES 5–7), a promoter (NPS 9–10).
GOOD = {SurveyKind.CSAT: 4, SurveyKind.CES: 5, SurveyKind.NPS: 9}
#: NPS answers at or below this are detractors.
NPS_DETRACTOR_MAX = 6

#: The words beside each score in the survey email and page.
LABELS = {
    SurveyKind.CSAT: {1: _("Very unhappy"), 2: _("Unhappy"), 3: _("Neutral"), 4: _("Happy"), 5: _("Very happy")},
    SurveyKind.CES: {1: _("Very difficult"), 4: _("Neither"), 7: _("Very easy")},
    SurveyKind.NPS: {0: _("Not at all likely"), 10: _("Extremely likely")},
}


def good_threshold(kind: str) -> int:
    return GOOD[kind]


def nps(scores: list[int]) -> float | None:
    """Return the Net Promoter Score (% promoters − % detractors) of 0–10 answers; None without answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= GOOD[SurveyKind.NPS])
    detractors = sum(1 for s in scores if s <= NPS_DETRACTOR_MAX)
    return round(100 * (promoters - detractors) / len(scores), 1)
