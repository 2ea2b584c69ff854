"""The telephony screens: the IVR editor and its preview, the call log with its figures, call-backs, an agent's line.

Thin, as every workspace view: parse a form, call one service or selector, render.
"""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.channels.models import Inbox
from parley.channels.voice import flow as ivr
from parley.channels.voice import forms, selectors, services
from parley.channels.voice.models import AgentLine, CallbackRequest, IvrFlow
from parley.channels.voice.webhooks import DEFAULT_FLOW
from parley.conversations.models import Conversation
from parley.core.errors import ApplicationError
from parley.workspace.views import allowed

#: The call log's chart covers this many days.
CHART_DAYS = 14


def _ending(node: dict) -> str:
    from parley.accounts.models import Team, User

    kind = node["type"]
    if kind == "queue":
        return f"(waits in the {Team.objects.filter(pk=node.get('team')).first() or 'missing team'} queue; available agents are rung)"
    if kind == "agent":
        return f"(rings {User.objects.filter(pk=node.get('agent')).first() or 'a missing agent'}; no answer: voicemail)"
    return {"voicemail": "(records a voicemail, which becomes a conversation)",
            "callback": "(takes the preferred time and opens a call-back task)",
            "hangup": "(hangs up)"}[kind]


@login_required
@require_http_methods(["GET", "POST"])
def ivr_edit(request, inbox_id: int):
    """Edit a voice inbox's call menu node by node, and play it as text for a given sequence of choices."""
    allowed(request, "inbox.manage", gettext_lazy("Only admins edit call menus."))
    inbox = get_object_or_404(Inbox, pk=inbox_id, kind="voice")
    flow = IvrFlow.objects.filter(inbox=inbox).first()
    start, nodes = (flow.start, flow.nodes) if flow else (DEFAULT_FLOW["start"], DEFAULT_FLOW["nodes"])
    status, error = 200, ""
    if request.method == "POST" and "save" in request.POST:
        start_form = forms.FlowStartForm(request.POST)
        formset = forms.NodeFormSet(request.POST, prefix="node")
        status, error = 422, gettext("Some nodes are not valid.")
        if start_form.is_valid() and formset.is_valid():
            # The empty extra node is left out, as is every node ticked for deletion.
            edited = [form.node() for form in formset if form.cleaned_data.get("id") and not form.cleaned_data.get("DELETE")]
            try:
                services.ivr_flow_save(inbox=inbox, start=start_form.cleaned_data["start"], nodes=edited, actor=request.user)
            except ApplicationError as exc:
                status, error = exc.status, exc.message + " " + "; ".join(f"{where}: {what}" for where, what in exc.extra.items())
            else:
                messages.success(request, gettext("The call menu was saved."))
                return redirect("voice:ivr", inbox.pk)
    else:
        start_form = forms.FlowStartForm(initial={"start": start})
        formset = forms.NodeFormSet(initial=[forms.NodeForm.initial_for(node) for node in nodes], prefix="node")
    preview_form = forms.PreviewForm(request.GET or None)
    lines = []
    if preview_form.is_valid():
        data = preview_form.cleaned_data
        caller = ivr.Caller(attributes={"order_status": data["order_status"]} if data["order_status"] else {},
                            is_open=lambda: not data["closed"])
        inputs = [given.strip() for given in data["inputs"].split(",") if given.strip()]
        lines = ivr.preview(start, nodes, inputs, caller, describe_ending=_ending)
    return render(request, "voice/ivr.html", {"inbox": inbox, "start_form": start_form, "formset": formset, "error": error,
                                              "preview_form": preview_form, "preview": lines, "section": "settings"},
                  status=status)


def _chart(days: int) -> list[dict]:
    """Answered and abandoned calls per day, with bar heights relative to the busiest day."""
    today = timezone.localdate()
    rows = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        start = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        stats = selectors.call_stats(since=start, until=start + timedelta(days=1))
        rows.append({"day": day, "answered": stats["answered"], "abandoned": stats["abandoned"], "calls": stats["calls"]})
    peak = max([row["calls"] for row in rows] + [1])
    for row in rows:
        row["answered_pct"] = round(100 * row["answered"] / peak)
        row["abandoned_pct"] = round(100 * row["abandoned"] / peak)
    return rows


@login_required
@require_GET
def call_list(request):
    """The call log, with average handle time, wait and abandonment over the last days, and a chart per day."""
    allowed(request, "conversation.view")
    since = timezone.now() - timedelta(days=CHART_DAYS)
    return render(request, "voice/calls.html", {
        "calls": selectors.call_list()[:200], "queues": selectors.queues_waiting(), "stats": selectors.call_stats(since=since), "chart": _chart(CHART_DAYS),
        "days": CHART_DAYS, "section": "calls"})


@login_required
@require_http_methods(["GET", "POST"])
def call_detail(request, call_id: int):
    """One call's log: path through the menu, wait and talk time, recording; agents add notes and a disposition."""
    allowed(request, "conversation.view")
    call = get_object_or_404(selectors.call_list(), pk=call_id)
    form = forms.CallNotesForm(request.POST or None, initial={"notes": call.notes, "disposition": call.disposition})
    if request.method == "POST" and form.is_valid():
        services.call_annotate(call=call, actor=request.user, **form.cleaned_data)
        messages.success(request, gettext("The call's notes were saved."))
        return redirect("voice:call", call.pk)
    return render(request, "voice/call.html", {"call": call, "form": form, "section": "calls"})


@login_required
@require_POST
def queue_take(request, team_id: int):
    """Ring the agent's line and connect them to the longest-waiting caller of a team's queue."""
    from parley.accounts.models import Team

    allowed(request, "conversation.reply")
    try:
        services.queue_take_next(team=get_object_or_404(Team, pk=team_id), actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Calling you now: answer to be connected to the caller."))
    return redirect("voice:calls")


@login_required
@require_GET
def callback_list(request):
    """The call-back queue: who asked to be called back, when they prefer, oldest first."""
    allowed(request, "conversation.view")
    return render(request, "voice/callbacks.html", {"requests": selectors.callback_queue(), "section": "callbacks"})


@login_required
@require_POST
def callback_done(request, request_id: int):
    allowed(request, "conversation.update")
    services.callback_request_done(request=get_object_or_404(CallbackRequest, pk=request_id), actor=request.user)
    messages.success(request, gettext("Marked as called back."))
    return redirect("voice:callbacks")


@login_required
@require_POST
def call_customer(request, number: int):
    """Click-to-call from a conversation: the provider rings the agent's line, then the customer."""
    allowed(request, "conversation.reply")
    conversation = get_object_or_404(Conversation.objects.select_related("contact", "inbox"), pk=number)
    try:
        call = services.call_place(conversation=conversation, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Calling you now on your line; answer to be connected to %(to_number)s.")
                         % {"to_number": call.to_number})
    return redirect("workspace:conversation", conversation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request):
    """Where the signed-in agent takes calls: a phone number and/or a SIP address."""
    line = AgentLine.objects.filter(user=request.user).first()
    form = forms.AgentLineForm(request.POST or None, initial={"phone": line.phone, "sip": line.sip} if line else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.agent_line_set(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            for field, problem in exc.extra.items():
                form.add_error(field, problem)
            status = exc.status
        else:
            messages.success(request, gettext("Your phone line was saved."))
            return redirect("voice:line")
    return render(request, "voice/line.html", {"form": form, "section": "profile"}, status=status)

