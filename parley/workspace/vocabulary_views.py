"""Settings → Tags, Statuses and Fields (admins and supervisors): create, edit, reorder and archive
what conversations are filed under. One set of views serves the three screens, each described by a Screen."""
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from parley.conversations import services
from parley.conversations.models import CustomField, CustomStatus, Tag
from parley.workspace.settings_forms import CustomFieldForm, CustomStatusForm, MoveForm, TagForm
from parley.workspace.submit import form_submitted
from parley.workspace.views import allowed

REFUSAL = _("Only admins and supervisors manage tags, statuses and fields.")


@dataclass(frozen=True)
class Screen:
    title: str
    #: The heading and button of the create form, and what is said once one is created or saved (%(item)s).
    new: str
    create_button: str
    created: str
    saved: str
    model: type
    form: type[forms.Form]
    create: Callable
    update: Callable
    move: Callable | None = None
    #: Fields fixed once created (shown, not editable).
    fixed: tuple[str, ...] = ()
    intro: str = ""


SCREENS = {
    "tags": Screen(
        _("Tags"), _("New tag"), _("Create tag"), _("The tag “%(item)s” was created."), _("The tag “%(item)s” was saved."),
        Tag, TagForm,
        create=lambda data, actor: services.tag_create(name=data["name"], actor=actor),
        update=lambda tag, data, actor: services.tag_update(tag=tag, actor=actor, name=data["name"], archived=data["archived"]),
        intro=_("Agents tag conversations to find and count them. An archived tag stays on its conversations and is offered "
                "no more.")),
    "statuses": Screen(
        _("Statuses"), _("New status"), _("Create status"), _("The status “%(item)s” was created."),
        _("The status “%(item)s” was saved."), CustomStatus, CustomStatusForm,
        create=lambda data, actor: services.custom_status_create(name=data["name"], category=data["category"], actor=actor),
        update=lambda status, data, actor: services.custom_status_update(
            custom_status=status, actor=actor, name=data["name"], category=data["category"], archived=data["archived"]),
        move=lambda status, step, actor: services.custom_status_move(custom_status=status, actor=actor, step=step),
        intro=_("Your own statuses, each counted as one built-in status. Pickers list them in this order.")),
    "fields": Screen(
        _("Fields"), _("New field"), _("Create field"), _("The field “%(item)s” was created."), _("The field “%(item)s” was saved."),
        CustomField, CustomFieldForm,
        create=lambda data, actor: services.custom_field_create(
            key=data["key"], label=data["label"], kind=data["kind"], choices=data["choices"],
            required_to_solve=data["required_to_solve"], actor=actor),
        update=lambda field, data, actor: services.custom_field_update(
            field=field, actor=actor, label=data["label"], choices=data["choices"],
            required_to_solve=data["required_to_solve"], archived=data["archived"]),
        move=lambda field, step, actor: services.custom_field_move(field=field, actor=actor, step=step),
        fixed=("key", "kind"),
        intro=_("Fields agents fill in on a conversation. A conversation is not solved while a field required to solve is "
                "empty.")),
}


def _screen(request, name: str) -> Screen:
    allowed(request, "tag.manage", REFUSAL)
    if name not in SCREENS:
        raise Http404("No such settings screen.")
    return SCREENS[name]


def _row_form(screen: Screen, item, data=None) -> forms.Form:
    form = screen.form(data, initial={name: getattr(item, name) for name in screen.form.base_fields}, auto_id=f"row{item.pk}_%s")
    for name in screen.fixed:
        del form.fields[name]
    return form


def _page(request, name: str, *, create_form=None, failed=None, error: str = "", status: int = 200):
    """The screen: every item with its own form (`failed` is the (item, bound form) that was refused) and a create form."""
    screen = SCREENS[name]
    if create_form is None:
        create_form = screen.form()
        del create_form.fields["archived"]
    rows = [(item, failed[1] if failed and failed[0].pk == item.pk else _row_form(screen, item))
            for item in screen.model.objects.all()]
    return render(request, "workspace/settings_vocabulary.html", {
        "screen": screen, "route": f"workspace:{name}", "rows": rows, "create_form": create_form, "error": error,
        "section": f"settings-{name}"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_list(request, screen: str):
    """List a screen's items; a POST creates one."""
    definition = _screen(request, screen)
    if request.method == "GET":
        return _page(request, screen)
    form = definition.form(request.POST)
    del form.fields["archived"]
    return form_submitted(
        request, form, save=lambda data: definition.create(data, request.user),
        done=lambda item: definition.created % {"item": item},
        refused=lambda error, status: _page(request, screen, create_form=form, error=error, status=status),
        to=lambda _: reverse(f"workspace:{screen}-settings"))


@login_required
@require_POST
def item_edit(request, screen: str, item_id: int):
    """Save one item's row: rename, change, archive or bring back."""
    definition = _screen(request, screen)
    item = get_object_or_404(definition.model, pk=item_id)
    form = _row_form(definition, item, request.POST)
    return form_submitted(
        request, form, save=lambda data: definition.update(item, data, request.user),
        done=lambda saved: definition.saved % {"item": saved},
        refused=lambda error, status: _page(request, screen, failed=(item, form), error=error, status=status),
        to=lambda _: reverse(f"workspace:{screen}-settings"))


@login_required
@require_POST
def item_move(request, screen: str, item_id: int):
    """Move an item one place up or down."""
    definition = _screen(request, screen)
    if definition.move is None:
        raise Http404(f"{definition.title} have no order.")
    item = get_object_or_404(definition.model, pk=item_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _page(request, screen, error=gettext("Move up or down."), status=422)
    definition.move(item, form.cleaned_data["step"], request.user)
    return redirect(f"workspace:{screen}-settings")
