"""Score how a text feels, offline: VADER's lexicon ships inside the vaderSentiment package."""
from functools import lru_cache


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment_score(text: str) -> float:
    """Return VADER's compound score of `text`: -1 (most negative) to 1 (most positive), 0 for neutral or empty."""
    text = text.strip()[:5000]
    return round(_analyzer().polarity_scores(text)["compound"], 4) if text else 0.0


def sentiment_label(score: float | None) -> str:
    """Name a score the way VADER's authors suggest reading it (±0.05 is the neutral band)."""
    if score is None:
        return ""
    return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"
