"""Worker entry points for surveys: comment sentiment, NPS campaign runs and their schedule."""
from parley.core import jobs
from parley.surveys import services


@jobs.handler(services.COMMENT_SENTIMENT_QUEUE)
def score_comment(survey_id: int) -> None:
    services.survey_score_comment(survey_id=survey_id)


@jobs.handler(services.CAMPAIGN_QUEUE, max_attempts=8, backoff_seconds=60)
def run_campaign(campaign_id: int) -> None:
    services.nps_campaign_run(campaign_id=campaign_id)


@jobs.every(300)
def start_due_campaigns() -> None:
    services.nps_campaigns_start_due()
