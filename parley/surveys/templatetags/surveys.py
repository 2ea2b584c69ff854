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
