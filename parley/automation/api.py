"""Automation API: rules (and their preview), canned responses, macros, webhooks and their delivery log."""
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from parley.accounts.permissions import require
from parley.api.schemas import ObjectId
from parley.automation import schemas, selectors
from parley.automation.models import Macro, Rule, Webhook, WebhookDelivery
from parley.automation.services import library, rules, webhooks
from parley.conversations.models import Conversation

router = Router(tags=["automation"])


@router.get("/rules", response=list[schemas.RuleOut])
def rule_list(request):
    require(request.auth, "automation.manage")
    return selectors.rule_list()


@router.post("/rules", response={201: schemas.RuleOut})
def rule_create(request, body: schemas.RuleIn):
    """Save a trigger or a time rule; an invalid definition is refused with every reason (422), nothing stored."""
    return Status(201, rules.rule_create(actor=request.auth, **body.dict()))


@router.post("/rules/preview", response=schemas.PreviewOut)
def rule_preview(request, body: schemas.PreviewIn):
    """Say whether a definition would act on a conversation now, condition by condition; nothing changes."""
    require(request.auth, "automation.manage")
    conversation = get_object_or_404(Conversation, pk=body.conversation_id)
    return rules.rule_preview(kind=body.kind, definition=body.definition, conversation=conversation)


@router.get("/rules/vocabulary", response=dict)
def rule_vocabulary(request):
    """List what a rule may say: events, fields with their operators and choices, actions with their parameters, and names."""
    require(request.auth, "automation.manage")
    return selectors.rule_builder_vocabulary()


@router.put("/rules/{rule_id}", response=schemas.RuleOut)
def rule_update(request, rule_id: ObjectId, body: schemas.RuleIn):
    require(request.auth, "automation.manage")
    rule = get_object_or_404(Rule, pk=rule_id)
    return rules.rule_update(rule=rule, actor=request.auth, name=body.name, definition=body.definition,
                             is_active=body.is_active, position=body.position)


@router.delete("/rules/{rule_id}", response={204: None})
def rule_delete(request, rule_id: ObjectId):
    require(request.auth, "automation.manage")
    rules.rule_delete(rule=get_object_or_404(Rule, pk=rule_id), actor=request.auth)
    return Status(204, None)


@router.get("/canned-responses", response=list[schemas.CannedResponseOut])
def canned_response_list(request, q: str = ""):
    require(request.auth, "conversation.view")
    return selectors.canned_response_search(text=q, limit=None)


@router.post("/canned-responses", response={201: schemas.CannedResponseOut})
def canned_response_create(request, body: schemas.CannedResponseIn):
    return Status(201, library.canned_response_create(actor=request.auth, **body.dict()))


@router.get("/macros", response=list[schemas.MacroOut])
def macro_list(request):
    require(request.auth, "conversation.view")
    return selectors.macro_list()


@router.post("/macros", response={201: schemas.MacroOut})
def macro_create(request, body: schemas.MacroIn):
    return Status(201, library.macro_create(actor=request.auth, **body.dict()))


@router.post("/conversations/{conversation_id}/macros/{macro_id}/apply", response={204: None})
def macro_apply(request, conversation_id: ObjectId, macro_id: ObjectId):
    """Apply a macro's actions and reply as the caller: all of them, or none with the reason."""
    library.macro_apply(macro=get_object_or_404(Macro, pk=macro_id), conversation=get_object_or_404(Conversation, pk=conversation_id),
                        actor=request.auth)
    return Status(204, None)


@router.get("/webhooks", response=list[schemas.WebhookOut])
def webhook_list(request):
    require(request.auth, "webhook.manage")
    return selectors.webhook_list()


@router.post("/webhooks", response={201: schemas.WebhookOut})
def webhook_create(request, body: schemas.WebhookIn):
    """Subscribe a URL to events; private addresses are refused unless allow_private (admins only)."""
    return Status(201, webhooks.webhook_create(actor=request.auth, **body.dict()))


@router.get("/webhooks/{webhook_id}/deliveries", response=list[schemas.DeliveryOut])
def webhook_deliveries(request, webhook_id: ObjectId):
    """The delivery log: each delivery with its attempts (status, answer excerpt, duration)."""
    require(request.auth, "webhook.manage")
    return selectors.webhook_deliveries(webhook=get_object_or_404(Webhook, pk=webhook_id))


@router.post("/webhook-deliveries/{delivery_id}/redeliver", response={202: None})
def delivery_redeliver(request, delivery_id: ObjectId):
    webhooks.delivery_redeliver(delivery=get_object_or_404(WebhookDelivery, pk=delivery_id), actor=request.auth)
    return Status(202, None)
