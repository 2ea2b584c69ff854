"""The company logo, public: the help center and customer mail show it."""
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from parley.company.selectors import company_logo


@require_GET
def logo(request, version: int):
    """Serve the logo; its URL carries the profile's version, so it may be cached for long."""
    found = company_logo()
    if found is None:
        raise Http404("No logo is set.")
    content, content_type = found
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
