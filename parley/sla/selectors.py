"""Reads of SLAs that views and the API share."""
from django.db.models import QuerySet

from parley.sla.models import ConversationSla, EscalationStep, SlaPolicy


def policy_list() -> QuerySet:
    return SlaPolicy.objects.select_related("calendar")


def conversation_sla(*, conversation_id: int) -> ConversationSla | None:
    return ConversationSla.objects.select_related("policy").filter(conversation_id=conversation_id).first()


def escalation_steps() -> QuerySet:
    return EscalationStep.objects.select_related("team", "handled_by")
