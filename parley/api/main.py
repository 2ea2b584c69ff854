"""The /api/v1 NinjaAPI: one instance, each app adds its router in `ROUTERS`."""
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parley.api.auth import TokenAuth
from parley.api.openapi import DocumentedErrorsAPI
from parley.core.errors import ApplicationError

api = DocumentedErrorsAPI(title="Parley API", version="1", urls_namespace="api", auth=TokenAuth(), docs_url="/docs")

#: (prefix, "module:router") for every app's API; listed here so the API's shape is seen in one place.
ROUTERS: list[tuple[str, str]] = [
    ("/", "parley.accounts.api:router"),
    ("/", "parley.contacts.api:router"),
    ("/", "parley.conversations.api:router"),
    ("/", "parley.channels.inbox_api:router"),
    ("/", "parley.channels.api.endpoints:router"),
    ("/", "parley.core.api:router"),
    ("/", "parley.channels.voice.api:router"),
    ("/", "parley.automation.api:router"),
    ("/", "parley.routing.api:router"),
    ("/", "parley.sla.api:router"),
    ("/", "parley.surveys.api:router"),
    ("/", "parley.analytics.api:router"),
]


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    response = api.create_response(request, {"message": exc.message, "extra": exc.extra}, status=exc.status)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("body", "query", "path", "payload")]
        fields[".".join(location) or "body"] = error.get("msg", "invalid")
    return api.create_response(request, {"message": gettext("The request is not valid."), "extra": fields}, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"message": str(exc) or gettext("Not found."), "extra": {}}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # Ninja's own refusals (a body that is not JSON, say) in the same shape as every other error.
    return api.create_response(request, {"message": str(exc), "extra": {}}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    return api.create_response(request, {"message": gettext("The request body is too large."), "extra": {}}, status=413)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"message": gettext("A valid API token is required (Authorization: Bearer …)."), "extra": {}},
                               status=401)


def _mount() -> None:
    from importlib import import_module

    for prefix, target in ROUTERS:
        module, name = target.split(":")
        api.add_router(prefix, getattr(import_module(module), name))


_mount()
