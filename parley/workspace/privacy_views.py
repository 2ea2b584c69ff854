"""A customer's data rights from their page: export everything about them as a zip, and erase them."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from parley.contacts import privacy
from parley.contacts.models import Contact, ContactExport, ExportStatus
from parley.core.errors import ApplicationError
from parley.workspace.views import allowed

EXPORT_REFUSAL = gettext_lazy("Only admins and supervisors export a customer's data.")


@login_required
@require_POST
def contact_export_start(request, contact_id: int):
    """Start building the customer's archive and show its progress."""
    allowed(request, "contact.export", EXPORT_REFUSAL)
    export = privacy.contact_export_request(contact=get_object_or_404(Contact, pk=contact_id), actor=request.user)
    if request.htmx:
        return render(request, "workspace/_contact_export.html", {"export": export})
    return redirect("workspace:contact-export", export.pk)


@login_required
@require_GET
def contact_export_detail(request, export_id: int):
    """Show an export's progress (the page asks again every second until it is ready), then its download link."""
    allowed(request, "contact.export", EXPORT_REFUSAL)
    export = get_object_or_404(ContactExport.objects.select_related("contact"), pk=export_id)
    template = "workspace/_contact_export.html" if request.htmx else "workspace/contact_export.html"
    return render(request, template, {"export": export, "section": "customers"})


@login_required
@require_GET
def contact_export_download(request, export_id: int):
    """Send a finished archive (never served from a public URL)."""
    allowed(request, "contact.export", EXPORT_REFUSAL)
    export = get_object_or_404(ContactExport, pk=export_id, status=ExportStatus.DONE)
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=f"contact-{export.contact_id}-export.zip",
                        content_type="application/zip")


@login_required
@require_POST
def contact_erase(request, contact_id: int):
    """Erase the customer once the admin typed the confirmation word."""
    allowed(request, "contact.erase", gettext("Only admins erase a customer."))
    contact = get_object_or_404(Contact, pk=contact_id)
    try:
        erased = privacy.contact_erase(contact=contact, actor=request.user, confirmation=request.POST.get("confirm", "").strip())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        redacted = ngettext("%(count)d message redacted", "%(count)d messages redacted", erased["messages"]) % {
            "count": erased["messages"]}
        deleted = ngettext("%(count)d attachment deleted", "%(count)d attachments deleted", erased["attachments"]) % {
            "count": erased["attachments"]}
        messages.success(request, gettext("The customer was erased: %(redacted)s and %(deleted)s.") % {
            "redacted": redacted, "deleted": deleted})
    return redirect("workspace:customer", contact.pk)
