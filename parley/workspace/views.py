"""The agent workspace: inbox lists, the conversation page, the actions agents take on it, and their availability.

Every action posts a form; the view parses it, calls one service and answers with the
re-rendered conversation (htmx) or a redirect (plain form post). A refused action is
shown to the agent with the service's message and the HTTP status it carries.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from parley.accounts import services as accounts_services
from parley.accounts.models import Availability
from parley.accounts.permissions import can
from parley.accounts.selectors import agents_to_mention, mention_handle
from parley.contacts import services as contact_services
from parley.contacts.models import Contact
from parley.contacts.selectors import contact_identities, contact_list
from parley.conversations import selectors, services
from parley.conversations.models import Attachment, Conversation
from parley.core.errors import ApplicationError
from parley.desk.models import DraftKind
from parley.desk.selectors import drafts_for, unread_conversation_ids
from parley.desk.services import conversation_mark_seen, draft_discard, draft_save
from parley.sla.services import escalation_plan
from parley.workspace import forms

PAGE_SIZE = 50


def vary_on_htmx(response):
    # The list URL answers with a whole page or a fragment; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def allowed(request, action: str, refusal: str = gettext_lazy("Your role may not open the workspace.")) -> None:
    if not can(request.user, action):
        raise PermissionDenied(refusal)


@login_required
@require_GET
def conversation_list(request):
    """Show a view of conversations (mine, unassigned, my teams, all), filtered and searched."""
    allowed(request, "conversation.view")
    form = forms.ConversationListForm(request.GET)
    page, status = None, 200
    if form.is_valid():
        filters = form.filters()
        number = form.cleaned_data["page"]
        page = selectors.ListPaginator(selectors.conversation_list(user=request.user, filters=filters), PAGE_SIZE,
                                       page_number=number).get_page(number)
        current_view = filters.view
    else:
        status, current_view = 400, request.GET.get("view", "all")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("saved", None)
    unread = unread_conversation_ids(agent=request.user, conversations=page.object_list) if page else set()
    context = {"form": form, "page": page, "current_view": current_view, "query": query.urlencode(), "unread_ids": unread,
               "bulk_form": forms.BulkForm(), "can_bulk": can(request.user, "conversation.update")}
    template = "workspace/_list.html" if request.htmx else "workspace/inbox.html"
    return vary_on_htmx(render(request, template, context, status=status))


def _conversation_for(request, number: int) -> Conversation:
    allowed(request, "conversation.view")
    return get_object_or_404(selectors.visible_conversations(user=request.user).select_related(
        "contact__organization", "inbox", "assignee", "team", "custom_status", "merged_into"), pk=number)


def _details_context(request, conversation: Conversation) -> dict:
    """What the Details panel shows: the conversation's current assignee, status, fields and tags."""
    return {
        "conversation": conversation,
        "can_update": can(request.user, "conversation.update"),
        "details_form": forms.DetailsForm(initial=forms.DetailsForm.initial_for(conversation)),
        "escalate_form": forms.EscalateForm(),
        "escalation": escalation_plan(conversation),
        "merge_form": forms.OtherConversationForm(),
        "link_form": forms.OtherConversationForm(),
        "related": conversation.related.all(),
    }


def customer_profile_context(contact: Contact, *, user, message_limit: int) -> dict:
    """What the customer's unified profile shows `user`: identities, conversations and messages on every channel."""
    return {
        "contact": contact,
        "identities": contact_identities(contact_id=contact.pk),
        "past_conversations": selectors.contact_timeline(contact_id=contact.pk, user=user),
        "contact_messages": selectors.contact_messages(contact_id=contact.pk, user=user, limit=message_limit),
    }


def _conversation_context(request, conversation: Conversation, *, error: str = "", bound: dict | None = None) -> dict:
    """Everything the conversation page shows; `bound` carries forms to show again with their input."""
    context = {
        **_details_context(request, conversation),
        "timeline": selectors.conversation_timeline(conversation=conversation),
        "error": error,
        "can_reply": can(request.user, "conversation.reply"),
        "reply_form": forms.ReplyForm(),
        "note_form": forms.NoteForm(),
        "drafts": drafts_for(agent=request.user, conversation=conversation),
        "composer_tab": "reply" if can(request.user, "conversation.reply") else "note",
        "max_attachment_bytes": settings.PARLEY_MAX_ATTACHMENT_BYTES,
        **_channel_context(conversation),
        "can_merge_customer": can(request.user, "contact.merge"),
        **customer_profile_context(conversation.contact, user=request.user, message_limit=20),
    }
    context.update(bound or {})
    return context


def _channel_context(conversation: Conversation) -> dict:
    """What the reply composer says about the channel: what it carries, its limits, whether its window is open."""
    adapter = conversation.inbox.adapter
    capabilities = adapter.capabilities
    return {
        "channel_summary": " · ".join([str(adapter.label), *capabilities.summary()]),
        "capabilities": capabilities,
        "reply_window_open": capabilities.window_open(last_inbound_at=conversation.last_inbound_at, now=timezone.now()),
        "reply_refusal": adapter.reply_refusal(conversation),
    }


@login_required
@require_GET
def conversation_detail(request, number: int):
    """Show one conversation: timeline, composer, actions and the customer's unified profile."""
    conversation = _conversation_for(request, number)
    conversation_mark_seen(agent=request.user, conversation=conversation)
    return render(request, "workspace/conversation.html", _conversation_context(request, conversation))


@login_required
@require_GET
def conversation_timeline(request, number: int):
    """Answer the timeline the live socket asks for: the items after `after`, the one `message`, or all of it.

    The open page appends new items and replaces a changed one; the whole timeline is for
    what reorders it (a merge). Each answer carries the conversation's summary too.
    """
    conversation = _conversation_for(request, number)
    try:
        after_id, message_id = (int(request.GET[key]) if request.GET.get(key) else None for key in ("after", "message"))
    except ValueError:
        return JsonResponse({"message": gettext("after and message must be message numbers."),
                             "extra": {key: "not a number" for key in ("after", "message") if key in request.GET}}, status=400)
    timeline = selectors.conversation_timeline(conversation=conversation, after_id=after_id, message_id=message_id)
    # The open page asks for what just arrived: the agent has it in front of them.
    conversation_mark_seen(agent=request.user, conversation=conversation)
    partial = "workspace/_timeline_refresh.html" if after_id is None and message_id is None else "workspace/_timeline_items.html"
    return render(request, partial, {"conversation": conversation, "timeline": timeline})


@login_required
@require_GET
def view_counts(request):
    """Answer the sidebar's view counts, which open pages refresh (at most every few seconds) as conversations change."""
    allowed(request, "conversation.view")
    return render(request, "workspace/_view_counts_fresh.html", {"current_view": request.GET.get("view", "")})


@login_required
@require_GET
def conversation_details(request, number: int):
    """Answer the Details panel, which the live socket asks for when the conversation changed."""
    conversation = _conversation_for(request, number)
    return render(request, "workspace/_details.html", _details_context(request, conversation))


@login_required
@require_GET
def message_with_images(request, number: int, message_id: int):
    """Answer one timeline item with its remote images loaded, for the agent who asked."""
    conversation = _conversation_for(request, number)
    message = get_object_or_404(selectors.conversation_timeline(conversation=conversation), pk=message_id)
    return render(request, "workspace/_timeline_item.html", {"m": message, "conversation": conversation, "show_images": True})


@dataclass(frozen=True)
class Action:
    """How one posted form becomes one service call; `form_key` names the form shown again on error."""

    form_class: type
    form_key: str
    perform: Callable


def _reply(conversation, user, form):
    services.message_reply(conversation=conversation, author=user, text=form.cleaned_data["text"],
                           attachments=form.attachments_for_service(), status=form.cleaned_data["status"] or None,
                           cc=form.copies("cc"), bcc=form.copies("bcc"))
    draft_discard(agent=user, conversation=conversation, kind=DraftKind.REPLY)


def _note(conversation, user, form):
    services.message_note(conversation=conversation, author=user, text=form.cleaned_data["text"],
                          attachments=form.attachments_for_service())
    draft_discard(agent=user, conversation=conversation, kind=DraftKind.NOTE)


def _assign(conversation, user, form):
    services.conversation_assign(conversation=conversation, actor=user, assignee=form.cleaned_data["assignee"], team=form.cleaned_data["team"])


def _status(conversation, user, form):
    services.conversation_set_status(conversation=conversation, actor=user, **form.service_arguments())


def _fields(conversation, user, form):
    custom = {"custom_fields": form.custom_values()} if form.custom else {}
    services.conversation_update(conversation=conversation, actor=user, priority=form.cleaned_data["priority"],
                                 type=form.cleaned_data["type"], **custom)


def _tags(conversation, user, form):
    services.conversation_set_tags(conversation=conversation, actor=user, tags=form.tag_names())


def _details(conversation, user, form):
    # Only what the agent changed from what the panel showed, so a colleague's change made meanwhile stays and the
    # timeline says what happened; all of it or (refused) none. Fields go first: a status that solves may need them.
    shown = form.cleaned_data["shown"] or forms.DetailsForm.initial_for(conversation)
    changed = {name for name in form.fields
               if name != "shown" and _compared(name, form.cleaned_data.get(name)) != _compared(name, shown.get(name))}
    try:
        with transaction.atomic():
            if changed & {"priority", "type", *(f"custom_{d.key}" for d in form.custom)}:
                _fields(conversation, user, form)
            if "tags" in changed:
                _tags(conversation, user, form)
            if changed & {"assignee", "team"}:
                _assign(conversation, user, form)
            if "status" in changed:
                _status(conversation, user, form)
    except ApplicationError:
        conversation.refresh_from_db()
        raise


def _compared(name: str, value) -> object:
    """A Details value as the panel's save compares it with the conversation's: ids, and tags in any order or case."""
    if name == "tags":
        return {tag.strip().lower() for tag in (value or "").split(",") if tag.strip()}
    if hasattr(value, "pk"):
        return str(value.pk)
    return "" if value is None else str(value)


def _escalate(conversation, user, form):
    services.conversation_escalate(conversation=conversation, actor=user, reason=form.cleaned_data["reason"], team=form.cleaned_data["team"])


def _merge(conversation, user, form):
    # The number typed is the conversation that stays; this one is folded into it.
    return services.conversation_merge(keep=form.cleaned_data["number"], merge=conversation, actor=user)


def _resend(conversation, user, form):
    services.message_resend(message=form.reply_of(conversation), actor=user)


def _link(conversation, user, form):
    services.conversation_link(conversation=conversation, other=form.cleaned_data["number"], actor=user)


ACTIONS: dict[str, Action] = {
    "reply": Action(forms.ReplyForm, "reply_form", _reply),
    "note": Action(forms.NoteForm, "note_form", _note),
    "assign": Action(forms.AssignForm, "assign_form", _assign),
    "status": Action(forms.StatusForm, "status_form", _status),
    "fields": Action(forms.FieldsForm, "fields_form", _fields),
    "tags": Action(forms.TagsForm, "tags_form", _tags),
    "save": Action(forms.DetailsForm, "details_form", _details),
    "escalate": Action(forms.EscalateForm, "escalate_form", _escalate),
    "merge": Action(forms.OtherConversationForm, "merge_form", _merge),
    "link": Action(forms.OtherConversationForm, "link_form", _link),
    "resend": Action(forms.ResendForm, "resend_form", _resend),
}


@login_required
@require_POST
def conversation_action(request, number: int, action: str):
    """Apply one agent action to a conversation and show the result (or why it was refused)."""
    if action not in ACTIONS:
        raise Http404("Unknown action.")
    spec = ACTIONS[action]
    conversation = _conversation_for(request, number)
    form = spec.form_class(request.POST, request.FILES)
    status, error = 200, ""
    if not form.is_valid():
        # A file over the limit is refused as the service would refuse it: 413, not 422.
        status, error = 413 if form.has_error("attachments", "too_large") else 422, forms.first_error(form)
    else:
        try:
            result = spec.perform(conversation, request.user, form)
        except ApplicationError as exc:
            status, error = exc.status, exc.message
            # Shown next to the field too (what the channel cannot carry, say), so the agent sees what to change.
            for field, problem in exc.extra.items():
                if field in form.fields:
                    form.add_error(field, str(problem))
        else:
            target = reverse("workspace:conversation", args=[result.pk if isinstance(result, Conversation) else conversation.pk])
            if request.htmx and isinstance(result, Conversation):
                return HttpResponseClientRedirect(target)
            if not request.htmx:
                return redirect(target)
            conversation = _conversation_for(request, number)
    bound = {spec.form_key: form} if error else {}
    if error and action in ("reply", "note"):
        bound["composer_tab"] = action
    context = _conversation_context(request, conversation, error=error, bound=bound)
    template = "workspace/_conversation.html" if request.htmx else "workspace/conversation.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def attachment_download(request, attachment_id: int):
    """Send an attachment to an agent (files are never served without a login)."""
    allowed(request, "conversation.view")
    attachment = get_object_or_404(Attachment, pk=attachment_id,
                                   message__conversation__in=selectors.visible_conversations(user=request.user))
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                        content_type=attachment.content_type)


@login_required
@require_GET
def notification_list(request):
    """List the agent's recent notifications (@mentions, assignments), newest first."""
    return render(request, "workspace/notifications.html", {"notifications": selectors.notification_list(user=request.user)})


@login_required
@require_POST
def notification_mark_read(request):
    """Mark all of the agent's notifications read, which clears the badge."""
    services.notifications_mark_read(user=request.user)
    return redirect("workspace:notifications")


@login_required
@require_GET
def mention_search(request):
    """Answer the note composer: colleagues whose name or email matches what follows "@"."""
    allowed(request, "conversation.note")
    return JsonResponse({"results": [
        {"handle": mention_handle(agent), "name": str(agent)} for agent in agents_to_mention(query=request.GET.get("q", ""))]})


def _back_to(request) -> str:
    """Return the page the agent came from (the posted `next`), if it is on this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("workspace:home")


@login_required
@require_POST
def availability_set(request):
    """Set the agent's own availability (online, away, offline) from the control in the header."""
    form = forms.AvailabilityForm(request.POST)
    status, error = 200, ""
    if form.is_valid():
        try:
            accounts_services.agent_set_availability(user=request.user, availability=form.cleaned_data["availability"])
        except ApplicationError as exc:
            status, error = exc.status, exc.message
    else:
        status, error = 422, forms.first_error(form)
    if request.htmx:
        return render(request, "workspace/_availability.html", {
            "choices": Availability.choices, "error": error, "next": request.POST.get("next", "")}, status=status)
    if error:
        return render(request, "workspace/problem.html", {"error": error, "back": _back_to(request)}, status=status)
    return redirect(_back_to(request))


@login_required
@require_http_methods(["GET", "POST"])
def customer_merge(request, number: int):
    """Find the customer to keep, confirm, then merge this conversation's customer into them.

    GET with `q` lists matching customers, GET with `into` asks for confirmation, POST merges
    and lands on this conversation, which then belongs to the kept customer.
    """
    conversation = _conversation_for(request, number)
    allowed(request, "contact.merge", gettext_lazy("Your role may not merge customers."))
    contact = conversation.contact
    query = forms.CustomerSearchForm(request.GET).query()
    context = {"conversation": conversation, "contact": contact, "error": ""}
    status = 200
    if request.method == "POST" or "into" in request.GET:
        choice = forms.CustomerMergeForm(request.POST if request.method == "POST" else request.GET)
        if not choice.is_valid():
            status, context["error"] = 422, forms.first_error(choice)
        elif request.method == "GET":
            context["candidate"] = choice.cleaned_data["into"]
        else:
            keep = choice.cleaned_data["into"]
            try:
                contact_services.contact_merge(keep=keep, merge=contact, actor=request.user)
            except ApplicationError as exc:
                status, context["error"] = exc.status, exc.message
                context["candidate"] = keep
            else:
                messages.success(request, gettext("%(contact)s was merged into %(keep)s.")
                                 % {"contact": contact, "keep": keep})
                target = reverse("workspace:conversation", args=[conversation.pk])
                return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    elif query:
        context["candidates"] = contact_list(text=query).exclude(pk=contact.pk)[:10]
    context["query"] = query
    template = "workspace/_customer_merge.html" if request.htmx else "workspace/customer_merge.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def draft_keep(request, number: int):
    """Keep what the agent has typed in a composer (the page sends it as they type); empty text discards it."""
    conversation = _conversation_for(request, number)
    try:
        draft_save(agent=request.user, conversation=conversation, kind=request.POST.get("kind", ""),
                   text=request.POST.get("text", ""))
    except ApplicationError as exc:
        return JsonResponse({"message": exc.message, "extra": exc.extra}, status=exc.status)
    return HttpResponse(status=204)


@login_required
@require_GET
def merge_confirm(request, number: int):
    """Show both conversations side by side with what merging does, before the agent confirms it."""
    allowed(request, "conversation.merge", gettext_lazy("Your role may not merge conversations."))
    merge = _conversation_for(request, number)
    form = forms.OtherConversationForm(request.GET)
    if not form.is_valid():
        return render(request, "workspace/problem.html", {
            "error": forms.first_error(form), "back": reverse("workspace:conversation", args=[merge.pk])}, status=422)
    keep = form.cleaned_data["number"]
    sides = [(conversation, conversation.messages.exclude(kind="event").count(), list(conversation.tags.all()))
             for conversation in (merge, keep)]
    return render(request, "workspace/merge_confirm.html", {"merge": merge, "keep": keep, "sides": sides,
                                                            "same_customer": merge.contact_id == keep.contact_id})

