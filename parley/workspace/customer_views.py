"""The customers directory and a customer's page: unified profile and the edit form."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.accounts.permissions import can
from parley.contacts.models import Contact
from parley.contacts.selectors import contact_directory
from parley.contacts.services import contact_update, email_address_reset
from parley.core.errors import ApplicationError
from parley.core.models import surviving
from parley.workspace import forms
from parley.workspace.views import PAGE_SIZE, allowed, customer_profile_context, vary_on_htmx

CUSTOMER_MESSAGE_LIMIT = 50


@login_required
@require_GET
def customer_list(request):
    """List customers (merged ones left out), searched by name, email, phone or organization, filtered by segment."""
    allowed(request, "contact.view", gettext_lazy("Your role may not see customers."))
    form = forms.CustomerListForm(request.GET)
    page, status = None, 200
    if form.is_valid():
        data = form.cleaned_data
        customers = contact_directory(text=data["q"], segment_id=data["segment"].pk if data["segment"] else None)
        page = Paginator(customers, PAGE_SIZE).get_page(data["page"])
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "section": "customers"}
    template = "workspace/_customers.html" if request.htmx else "workspace/customers.html"
    return vary_on_htmx(render(request, template, context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def customer_detail(request, contact_id: int):
    """Show a customer's unified profile; a POST saves the edit form through contact_update.

    A customer merged into another is shown as the one they were merged into.
    """
    allowed(request, "contact.view", gettext_lazy("Your role may not see customers."))
    contact = get_object_or_404(Contact.objects.select_related("organization", "merged_into"), pk=contact_id)
    if contact.merged_into_id:
        return redirect("workspace:customer", surviving(contact).pk)
    can_edit = can(request.user, "contact.edit")
    form, status, error = forms.ContactEditForm.for_contact(contact), 200, ""
    if request.method == "POST":
        form = forms.ContactEditForm(request.POST)
        if not can_edit:
            status, error = 403, gettext("Your role may not edit customers.")
        elif not form.is_valid():
            status, error = 422, forms.first_error(form)
        else:
            try:
                contact_update(contact=contact, actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                status, error = exc.status, exc.message
            else:
                messages.success(request, gettext("%(contact)s was saved.") % {"contact": contact})
                if not request.htmx:
                    return redirect("workspace:customer", contact.pk)
                form = forms.ContactEditForm.for_contact(contact)
    context = {**customer_profile_context(contact, user=request.user, message_limit=CUSTOMER_MESSAGE_LIMIT),
               "edit_form": form, "can_edit": can_edit, "error": error, "section": "customers"}
    template = "workspace/_customer_page.html" if request.htmx else "workspace/customer.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def customer_email_status_reset(request, contact_id: int):
    """Mark the customer's email address deliverable again; back to where the button was pressed."""
    allowed(request, "contact.edit", gettext_lazy("Your role may not edit customers."))
    contact = get_object_or_404(Contact, pk=contact_id)
    email_address_reset(address=contact.email, actor=request.user)
    messages.success(request, gettext("%(email)s is marked deliverable again.") % {"email": contact.email})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("workspace:customer", contact.pk)
