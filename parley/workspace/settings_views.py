"""Settings → Inboxes (admins): list the inboxes, create one of any registered channel, change one."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.channels.config import config_masked
from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox
from parley.channels.registry import get_adapter, kinds
from parley.channels import selectors as channel_selectors
from parley.channels.services import envelope_retry, inbox_create, inbox_test_connection, inbox_update
from parley.core.errors import ApplicationError
from parley.workspace.inbox_forms import ConfigForm, InboxForm
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Only admins manage inboxes.")


@login_required
@require_GET
def inbox_list(request):
    """List every inbox with its channel and addresses, and offer a new one of each registered channel."""
    allowed(request, "inbox.manage", REFUSAL)
    return render(request, "workspace/inbox_settings_list.html",
                  {"inboxes": channel_selectors.inbox_list(), "kinds": kinds(), "section": "settings"})


def _save(request, *, kind: str, inbox: Inbox | None):
    """Show the settings form of a new or existing inbox; a POST saves it through the inbox services."""
    schema = get_adapter(kind).config_schema
    shown, secrets_set = config_masked(inbox) if inbox else ({}, {})
    initial = ({"name": inbox.name, "greeting": inbox.greeting, "default_team": inbox.default_team, "is_active": inbox.is_active}
               if inbox else None)
    data = request.POST if request.method == "POST" else None
    form = InboxForm(data, initial=initial)
    if inbox is None:
        del form.fields["is_active"]  # a new inbox starts active
    config_form = ConfigForm(schema, shown=shown, secrets_set=secrets_set, data=data, prefix="config")
    status, error = 200, ""
    if data is not None:
        # Both forms are checked, so every field shows its problem at once.
        valid = form.is_valid() & config_form.is_valid()
        config = config_form.config() if valid else {}
        status, error = 422, gettext("Some settings are not valid.")
        if valid and not config_form.errors:
            try:
                if inbox is None:
                    inbox = inbox_create(name=form.cleaned_data["name"], kind=kind, config=config, actor=request.user,
                                         default_team=form.cleaned_data["default_team"], greeting=form.cleaned_data["greeting"])
                else:
                    inbox_update(inbox=inbox, actor=request.user, config=config, **form.cleaned_data)
            except ApplicationError as exc:
                config_form.add_problems(exc.extra)
                status, error = exc.status, exc.message
            else:
                messages.success(request, gettext("The inbox “%(inbox)s” was saved.") % {"inbox": inbox})
                return redirect("workspace:inbox-settings", inbox.pk)
    context = {"form": form, "config_form": config_form, "inbox": inbox, "kind": kind, "kind_label": kinds()[kind],
               "error": error, "section": "settings"}
    if inbox is not None:
        context |= {"health": channel_selectors.inbox_health(inbox=inbox), "console_urls": inbox.adapter.console_urls(inbox),
                    "settings_links": inbox.adapter.settings_links(inbox), "snippet": inbox.adapter.embed_snippet(inbox)}
    return render(request, "workspace/inbox_settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def inbox_new(request, kind: str):
    """Create an inbox of a registered channel kind with the form generated from its settings schema."""
    allowed(request, "inbox.manage", REFUSAL)
    if kind not in kinds():
        raise Http404("No such channel.")
    return _save(request, kind=kind, inbox=None)


@login_required
@require_http_methods(["GET", "POST"])
def inbox_edit(request, inbox_id: int):
    """Change an inbox's general fields and its channel settings; secrets left blank keep their value."""
    allowed(request, "inbox.manage", REFUSAL)
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    return _save(request, kind=inbox.kind, inbox=inbox)


@login_required
@require_POST
def inbox_connection_test(request, inbox_id: int):
    """Try the inbox's saved connections (IMAP login, SMTP session, provider ping) and say how each went."""
    allowed(request, "inbox.manage", REFUSAL)
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    checks = inbox_test_connection(inbox=inbox)
    if request.htmx:
        return render(request, "workspace/_connection_test.html", {"inbox": inbox, "checks": checks, "tested": True})
    for check in checks:
        (messages.success if check.ok else messages.error)(request, f"{check.part}: {check.detail}")
    return redirect("workspace:inbox-settings", inbox.pk)


@login_required
@require_POST
def inbox_envelope_retry(request, inbox_id: int, envelope_id: int):
    """Process a failed inbound payload of this inbox again (after the cause was fixed)."""
    allowed(request, "inbox.manage", REFUSAL)
    envelope = get_object_or_404(InboundEnvelope, pk=envelope_id, inbox_id=inbox_id, status=EnvelopeStatus.FAILED)
    envelope_retry(envelope=envelope, actor=request.user)
    messages.success(request, gettext("The message is queued to be processed again; if it fails again, it is listed here with the reason."))
    return redirect("workspace:inbox-settings", inbox_id)

