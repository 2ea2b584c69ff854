"""Survey results where agents look: on the conversation and on the customer."""
from django import template

from parley.surveys import selectors

register = template.Library()


@register.inclusion_tag("surveys/_results.html")
def conversation_surveys(conversation):
    return {"surveys": selectors.surveys_for_conversation(conversation_id=conversation.pk), "title": "Feedback"}


@register.inclusion_tag("surveys/_results.html")
def contact_surveys(contact):
    return {"surveys": selectors.surveys_for_contact(contact_id=contact.pk), "title": "Surveys", "show_conversation": True}


@register.inclusion_tag("surveys/_agent_feedback.html")
def agent_feedback(agent):
    """An agent's own survey results: per kind, the answers, the average and the share of good ones, and the latest."""
    from parley.surveys.models import SurveyKind

    results = [(SurveyKind(kind).label, row) for kind in (SurveyKind.CSAT, SurveyKind.CES)
               for row in selectors.survey_results_by_agent(kind=kind, agent_id=agent.pk)]
    return {"results": results, "recent": selectors.survey_recent_answers_for_agent(agent_id=agent.pk)}
