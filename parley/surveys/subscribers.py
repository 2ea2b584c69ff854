"""The survey subscribers to domain events (registered in parley/subscriptions.py): when to ask."""
from parley.conversations.models import Conversation, Status
from parley.surveys.models import CesTrigger, SurveyKind
from parley.surveys.selectors import survey_settings
from parley.surveys.services import survey_send_for_conversation


def csat_after_solved(name: str, payload: dict) -> None:
    """Ask for a CSAT rating when a conversation moves to solved, unless it was reopened before the worker got to it."""
    still_solved = Conversation.objects.filter(pk=payload["conversation_id"], status__in=(Status.SOLVED, Status.CLOSED)).exists()
    if payload["new"] == Status.SOLVED and still_solved:
        survey_send_for_conversation(conversation_id=payload["conversation_id"], kind=SurveyKind.CSAT,
                                     event_id=payload["event_id"])


def _ces_flow(name: str, payload: dict) -> str | None:
    """Name the CES flow an event completes, if any."""
    if name == "conversation.assigned":
        handed_to_person = payload["assignee_id"] is not None and payload["actor"]["kind"] in ("bot", "rule", "system")
        return CesTrigger.HANDOFF if handed_to_person else None
    if name == "conversation.updated":
        return CesTrigger.ESCALATION if "tier" in payload["changes"] else None
    if name == "conversation.status_changed":
        return CesTrigger.SOLVED if payload["new"] == Status.SOLVED else None
    return None


def ces_after_flow(name: str, payload: dict) -> None:
    """Ask how easy it was once the flow chosen on Settings → Surveys has happened."""
    config = survey_settings()
    if config.ces_enabled and _ces_flow(name, payload) == config.ces_trigger:
        survey_send_for_conversation(conversation_id=payload["conversation_id"], kind=SurveyKind.CES,
                                     event_id=payload["event_id"])


#: The events after which a survey may be due; one subscriber (one job per event) handles them all.
EVENTS = ("conversation.assigned", "conversation.updated", "conversation.status_changed")


def ask_when_due(name: str, payload: dict) -> None:
    """Send the surveys an event makes due: CSAT after solving, CES after the chosen flow."""
    if name == "conversation.status_changed":
        csat_after_solved(name, payload)
    ces_after_flow(name, payload)
