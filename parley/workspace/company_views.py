"""Settings → Company (admins): name, colour, logo, default sender and time zone."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from parley.company.selectors import company
from parley.company.services import company_update
from parley.workspace.settings_forms import CompanyForm
from parley.workspace.submit import form_submitted
from parley.workspace.views import allowed


def _page(request, form, *, error: str = "", status: int = 200):
    return render(request, "workspace/settings_company.html",
                  {"form": form, "company": company(), "error": error, "section": "settings-company"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def company_settings(request):
    """Show the company profile; a POST saves it (a new logo replaces the old one)."""
    allowed(request, "inbox.manage", gettext_lazy("Only admins change the company settings."))
    current = company()
    if request.method == "GET":
        return _page(request, CompanyForm(initial={"name": current.name, "color": current.color,
                                                   "default_sender": current.default_sender, "time_zone": current.time_zone,
                                                   "languages": list(current.languages),
                                                   "default_language": current.languages[0]}))
    form = CompanyForm(request.POST, request.FILES)
    return form_submitted(
        request, form,
        save=lambda data: company_update(
            actor=request.user, name=data["name"], color=data["color"], default_sender=data["default_sender"],
            time_zone=data["time_zone"], languages=data["languages"], logo=data["logo"].read() if data["logo"] else None, remove_logo=data["remove_logo"]),
        done=lambda _: gettext("The company settings were saved."),
        refused=lambda error, status: _page(request, form, error=error, status=status),
        to=lambda _: reverse("workspace:company-settings"))
