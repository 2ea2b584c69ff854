"""How answers count: what a good CSAT or CES answer is, and the NPS arithmetic."""
from parley.surveys.models import SurveyKind

#: An answer at or above this score is a satisfied customer (CSAT 4–5), an easy experience (CES 5–7), a promoter (NPS 9–10).
GOOD = {SurveyKind.CSAT: 4, SurveyKind.CES: 5, SurveyKind.NPS: 9}
#: NPS answers at or below this are detractors.
NPS_DETRACTOR_MAX = 6

#: The words beside each score in the survey email and page.
LABELS = {
    SurveyKind.CSAT: {1: "Very unhappy", 2: "Unhappy", 3: "Neutral", 4: "Happy", 5: "Very happy"},
    SurveyKind.CES: {1: "Very difficult", 4: "Neither", 7: "Very easy"},
    SurveyKind.NPS: {0: "Not at all likely", 10: "Extremely likely"},
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
