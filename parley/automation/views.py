"""Settings → Automations (rules, canned responses, macros, webhooks), the composer's canned responses and macros.

Each screen parses a form and calls one service; a refusal is shown with the service's
reason next to the fields it names, and nothing is stored.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from parley.automation import definitions, forms, selectors, variables
from parley.automation.models import CannedResponse, DeliveryState, Macro, Rule, RuleKind, Webhook, WebhookDelivery
from parley.automation.services import library, rules, webhooks
from parley.conversations.models import Conversation
from parley.core.errors import ApplicationError
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Only admins and supervisors manage automations.")
WEBHOOK_REFUSAL = gettext_lazy("Only admins manage webhooks.")


def _page(request, template: str, context: dict, status: int = 200):
    return render(request, f"automation/{template}", {"section": "automation", **context}, status=status)


def _show_problems(form, exc: ApplicationError) -> None:
    """Put the service's reasons next to the fields they concern (a rule's definition collects its own)."""
    for place, problem in exc.extra.items():
        field = place.split(".")[0]
        if field in form.fields:
            form.add_error(field, str(problem))
        elif "definition" in form.fields:
            form.add_error("definition", f"{place}: {problem}")
        elif "actions" in form.fields:
            form.add_error("actions", f"{place}: {problem}")


def _managed(model, *, screen, delete, action: str, refusal: str, back: str):
    """Return the views of a settings screen over `model`: list with a new one's form, change one, delete one."""
    @login_required
    @require_http_methods(["GET", "POST"])
    def listing(request):
        allowed(request, action, refusal)
        return screen(request, None)

    @login_required
    @require_http_methods(["GET", "POST"])
    def change(request, pk: int):
        allowed(request, action, refusal)
        return screen(request, get_object_or_404(model, pk=pk))

    @login_required
    @require_POST
    def remove(request, pk: int):
        allowed(request, action, refusal)
        record = get_object_or_404(model, pk=pk)
        delete(record, request.user)
        messages.success(request, gettext("“%(record)s” was deleted.") % {"record": record})
        return redirect(back)

    return listing, change, remove


def _save(request, form, save, *, done: str):
    """Run `save(cleaned_data)` for a valid form; return (saved object or None, error, status).

    `done` is said once it is saved, with the saved record as %(record)s.
    """
    if not form.is_valid():
        return None, gettext("Some fields are not valid."), 422
    try:
        saved = save(form.cleaned_data)
    except ApplicationError as exc:
        _show_problems(form, exc)
        return None, exc.message, exc.status
    messages.success(request, done % {"record": saved})
    return saved, "", 200


# --- rules -------------------------------------------------------------------------------------------

EXAMPLES = {
    RuleKind.TRIGGER: {"events": ["message.received"], "match": "all",
                       "conditions": [{"field": "message.text", "op": "contains", "value": "refund"}],
                       "actions": [{"type": "add_tags", "tags": ["refund"]}, {"type": "set_priority", "priority": "high"}]},
    RuleKind.TIME: {"after": {"since": "last_inbound", "hours": 72},
                    "conditions": [{"field": "conversation.status", "op": "is", "value": "pending"}],
                    "actions": [{"type": "reply", "text": "Hi {{contact.first_name}}, do you still need help?"}]},
}


@login_required
@require_GET
def rule_list(request):
    allowed(request, "automation.manage", REFUSAL)
    found = list(selectors.rule_list())
    busiest = max((r.firing_count for r in found), default=0) or 1
    return _page(request, "rules.html", {"rules": found, "busiest": busiest, "tab": "rules", "kinds": RuleKind.choices})


def _rule_screen(request, *, rule: Rule | None, kind: str):
    initial = ({"name": rule.name, "definition": rule.definition, "position": rule.position, "is_active": rule.is_active}
               if rule else {"definition": EXAMPLES[kind], "position": 100, "is_active": True})
    form = forms.RuleForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        def save(data):
            if rule is None:
                return rules.rule_create(kind=kind, actor=request.user, **data)
            return rules.rule_update(rule=rule, actor=request.user, **data)

        saved, error, status = _save(request, form, save, done=gettext("The rule “%(record)s” was saved."))
        if saved is not None:
            return redirect("automation:rule", saved.pk)
    context = {"form": form, "rule": rule, "kind": kind, "kind_label": RuleKind(kind).label, "error": error,
               "fields": definitions.FIELDS, "prefixes": definitions.FIELD_PREFIXES, "events": definitions.conversation_events(),
               "variables": variables.NAMES, "firings": selectors.rule_recent_firings(rule=rule) if rule else [], "tab": "rules",
               "vocabulary": selectors.rule_builder_vocabulary(), "builder_words": definitions.builder_words()}
    return _page(request, "rule.html", context, status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request, kind: str):
    allowed(request, "automation.manage", REFUSAL)
    if kind not in RuleKind.values:
        raise Http404("No such kind of rule.")
    return _rule_screen(request, rule=None, kind=kind)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, rule_id: int):
    allowed(request, "automation.manage", REFUSAL)
    rule = get_object_or_404(Rule, pk=rule_id)
    return _rule_screen(request, rule=rule, kind=rule.kind)


@login_required
@require_POST
def rule_preview(request, kind: str):
    """Test the definition in the form (saved or not) against a conversation; nothing changes."""
    allowed(request, "automation.manage", REFUSAL)
    if kind not in RuleKind.values:
        raise Http404("No such kind of rule.")
    form = forms.PreviewForm(request.POST)
    context, status = {"error": ""}, 200
    if not form.is_valid():
        status = 422
        context["error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
    else:
        try:
            context["preview"] = rules.rule_preview(kind=kind, definition=form.cleaned_data["definition"],
                                                    conversation=form.cleaned_data["number"])
            context["conversation"] = form.cleaned_data["number"]
        except ApplicationError as exc:
            status, context["error"] = exc.status, exc.message
    return render(request, "automation/_preview.html", context, status=status)


# --- canned responses --------------------------------------------------------------------------------

def _canned_screen(request, canned: CannedResponse | None):
    initial = {"shortcut": canned.shortcut, "title": canned.title, "text": canned.text} if canned else None
    form = forms.CannedResponseForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        def save(data):
            if canned is None:
                return library.canned_response_create(actor=request.user, **data)
            return library.canned_response_update(canned=canned, actor=request.user, **data)

        saved, error, status = _save(request, form, save, done=gettext("The canned response %(record)s was saved."))
        if saved is not None:
            return redirect("automation:canned-responses")
    return _page(request, "canned_responses.html", {"form": form, "canned": canned, "error": error, "tab": "canned",
                                                    "responses": selectors.canned_response_search(limit=None),
                                                    "variables": variables.NAMES, "prefixes": variables.PREFIXES}, status)


@login_required
@require_GET
def canned_response_search(request, number: int):
    """Answer the composer: canned responses matching what follows "/", filled in for this conversation."""
    allowed(request, "conversation.reply")
    conversation = Conversation.objects.select_related("contact").filter(pk=number).first()
    if conversation is None:
        return JsonResponse({"message": gettext("There is no conversation #%(number)s.") % {"number": number}, "extra": {}},
                            status=404)
    found = selectors.canned_response_search(text=request.GET.get("q", ""))
    return JsonResponse({"results": [
        {"shortcut": c.shortcut, "title": c.title, "text": variables.render(c.text, conversation=conversation, agent=request.user)}
        for c in found]})


# --- macros ------------------------------------------------------------------------------------------

def _macro_screen(request, macro: Macro | None):
    initial = ({"name": macro.name, "reply": macro.definition.get("reply", ""), "actions": macro.definition.get("actions", [])}
               if macro else {"actions": [{"type": "set_status", "status": "pending"}]})
    form = forms.MacroForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        def save(data):
            if macro is None:
                return library.macro_create(name=data["name"], definition=form.definition(), actor=request.user)
            return library.macro_update(macro=macro, name=data["name"], definition=form.definition(), actor=request.user)

        saved, error, status = _save(request, form, save, done=gettext("The macro “%(record)s” was saved."))
        if saved is not None:
            return redirect("automation:macros")
    return _page(request, "macros.html", {"form": form, "macro": macro, "error": error, "tab": "macros",
                                          "macros": selectors.macro_list(), "variables": variables.NAMES}, status)


@login_required
@require_POST
def macro_apply(request, number: int):
    """Apply the chosen macro to the conversation and show it again, with what happened."""
    allowed(request, "conversation.update", gettext_lazy("Your role may not change conversations."))
    conversation = get_object_or_404(Conversation, pk=number)
    macro = Macro.objects.filter(pk=request.POST.get("macro") or 0).first()
    if macro is None:
        messages.error(request, gettext("Choose a macro to apply."))
    else:
        try:
            library.macro_apply(macro=macro, conversation=conversation, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, gettext("The macro “%(name)s” was not applied: %(message)s")
                           % {"name": macro.name, "message": exc.message})
        else:
            messages.success(request, gettext("Applied the macro “%(name)s”.") % {"name": macro.name})
    target = reverse("workspace:conversation", args=[conversation.pk])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


# --- webhooks ----------------------------------------------------------------------------------------

def _webhook_screen(request, webhook: Webhook | None):
    initial = ({"name": webhook.name, "url": webhook.url, "events": webhook.events, "is_active": webhook.is_active,
                "allow_private": webhook.allow_private} if webhook else {"is_active": True})
    form = forms.WebhookForm(request.POST or None, initial=initial)
    if webhook is None:
        del form.fields["is_active"]
    error, status = "", 200
    if request.method == "POST":
        def save(data):
            if webhook is None:
                return webhooks.webhook_create(actor=request.user, **data)
            return webhooks.webhook_update(webhook=webhook, actor=request.user, **data)

        saved, error, status = _save(request, form, save, done=gettext("The webhook “%(record)s” was saved."))
        if saved is not None:
            return redirect("automation:webhook", saved.pk)
    context = {"form": form, "webhook": webhook, "error": error, "tab": "webhooks", "webhooks": selectors.webhook_list(),
               "deliveries": selectors.webhook_deliveries(webhook=webhook) if webhook else [],
               "signature_header": webhooks.SIGNATURE_HEADER, "timestamp_header": webhooks.TIMESTAMP_HEADER}
    return _page(request, "webhooks.html", context, status)


@login_required
@require_POST
def delivery_redeliver(request, delivery_id: int):
    allowed(request, "webhook.manage", WEBHOOK_REFUSAL)
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=delivery_id)
    if not delivery.webhook.is_active:
        messages.error(request, gettext("Switch the webhook on before redelivering."))
    else:
        webhooks.delivery_redeliver(delivery=delivery, actor=request.user)
        delivery.refresh_from_db()
        done = (gettext("Delivery #%(number)s was delivered.") if delivery.state == DeliveryState.DELIVERED
                else gettext("Delivery #%(number)s was queued: it is sent in a moment."))
        messages.success(request, done % {"number": delivery.pk})
    return redirect("automation:webhook", delivery.webhook_id)


rule_delete = _managed(Rule, screen=None, delete=lambda rule, user: rules.rule_delete(rule=rule, actor=user),
                       action="automation.manage", refusal=REFUSAL, back="automation:rules")[2]
canned_response_list, canned_response_edit, canned_response_delete = _managed(
    CannedResponse, screen=_canned_screen, delete=lambda canned, user: library.canned_response_delete(canned=canned, actor=user),
    action="automation.manage", refusal=REFUSAL, back="automation:canned-responses")
macro_list, macro_edit, macro_delete = _managed(
    Macro, screen=_macro_screen, delete=lambda macro, user: library.macro_delete(macro=macro, actor=user),
    action="automation.manage", refusal=REFUSAL, back="automation:macros")
webhook_list, webhook_edit, webhook_delete = _managed(
    Webhook, screen=_webhook_screen, delete=lambda webhook, user: webhooks.webhook_delete(webhook=webhook, actor=user),
    action="webhook.manage", refusal=WEBHOOK_REFUSAL, back="automation:webhooks")
