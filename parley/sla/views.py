"""Settings → SLAs (admins, supervisors): policies and escalation paths; each form calls one SLA service."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.core.errors import ApplicationError
from parley.sla import selectors, services
from parley.sla.forms import EscalationStepForm, SlaPolicyForm
from parley.sla.models import EscalationStep, SlaPolicy
from parley.workspace.forms import first_error
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Only admins and supervisors manage SLAs.")


def _list_context(**bound) -> dict:
    return {"policies": selectors.policy_list(), "steps": selectors.escalation_steps(), "step_form": EscalationStepForm(),
            "section": "sla", "error": "", **bound}


@login_required
@require_GET
def policy_list(request):
    allowed(request, "sla.manage", REFUSAL)
    return render(request, "sla/policies.html", _list_context())


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, policy_id: int | None = None):
    """Create or change an SLA policy: its conditions, its targets and what happens on a breach."""
    allowed(request, "sla.manage", REFUSAL)
    policy = get_object_or_404(SlaPolicy, pk=policy_id) if policy_id else None
    form = SlaPolicyForm(request.POST or None, policy=policy)
    context = {"policy": policy, "form": form, "section": "sla", "error": ""}
    if request.method == "POST":
        status = 422
        if not form.is_valid():
            context["error"] = first_error(form)
        else:
            try:
                policy = services.sla_policy_save(actor=request.user, policy=policy, **form.service_arguments())
            except ApplicationError as exc:
                context["error"], status = f"{exc.message} " + "; ".join(f"{k}: {v}" for k, v in exc.extra.items()), exc.status
            else:
                messages.success(request, gettext("The SLA policy “%(policy)s” was saved; open conversations follow it from now on.")
                                 % {"policy": policy})
                return redirect("sla:policies")
        return render(request, "sla/policy.html", context, status=status)
    return render(request, "sla/policy.html", context)


@login_required
@require_POST
def step_save(request):
    """Set who takes a team's conversations at tier 2 or 3 and what must be filled in first."""
    allowed(request, "sla.manage", REFUSAL)
    form = EscalationStepForm(request.POST)
    if not form.is_valid():
        return render(request, "sla/policies.html", _list_context(step_form=form, error=first_error(form)), status=422)
    try:
        services.escalation_step_save(actor=request.user, **form.service_arguments())
    except ApplicationError as exc:
        return render(request, "sla/policies.html", _list_context(step_form=form, error=exc.message), status=exc.status)
    messages.success(request, gettext("Escalation path saved."))
    return redirect("sla:policies")


@login_required
@require_POST
def step_delete(request, step_id: int):
    allowed(request, "sla.manage", REFUSAL)
    services.escalation_step_delete(step=get_object_or_404(EscalationStep, pk=step_id), actor=request.user)
    messages.success(request, gettext("Escalation step removed."))
    return redirect("sla:policies")
