"""HTTP of the chat channel: the widget script, the widget's session, and the agent's end and transfer buttons."""
import json
from functools import lru_cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.accounts.models import Team, User
from parley.channels.chat import limits, selectors, services
from parley.channels.chat.origins import origin_allowed
from parley.channels.models import Inbox
from parley.conversations.models import Conversation
from parley.core.errors import ApplicationError

WIDGET = Path(__file__).parent / "static" / "chat" / "widget.js"
MAX_SESSION_BODY_BYTES = 8_000


@lru_cache(maxsize=1)
def _widget_source() -> bytes:
    return WIDGET.read_bytes()


@require_GET
def widget_js(request):
    """Serve the widget: one script, no dependencies; a page embeds it with <script src=… data-inbox=…>."""
    response = HttpResponse(_widget_source(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _problem(message: str, status: int, origin: str = "", **extra) -> JsonResponse:
    response = JsonResponse({"message": message, "extra": extra}, status=status)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    return response


def _public_config(inbox: Inbox) -> dict:
    config = inbox.settings
    return {"name": inbox.name, "greeting": inbox.greeting, "color": config.get("color", "#2563eb"),
            "position": config.get("position", "right"), "language": config.get("language", "en"),
            "prechat_form": bool(config.get("prechat_form")), "proactive_message": config.get("proactive_message", ""),
            "proactive_delay_seconds": config.get("proactive_delay_seconds", 30),
            "proactive_paths": config.get("proactive_paths", [])}


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def session_open(request, key: str):
    """Start or resume a widget session: a visitor token, the inbox's look, whether an agent is online.

    Only pages of the inbox's allowed origins (and Parley's own) get an answer their browser
    lets them read. Body: {"token"?, "identity"?: {id, email, name, hash}, "referrer"?}.
    """
    origin = request.headers.get("Origin", "")
    inbox = Inbox.objects.filter(key=key, kind="chat", is_active=True).first()
    if inbox is None:
        return _problem("No such chat.", 404)
    if not origin_allowed(inbox, origin, request.get_host()):
        return _problem("This site may not use this chat: add its origin to the inbox's allowed origins.", 403,
                        origin="", origin_refused=origin or "(none)")
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "3600"
        return response
    if len(request.body) > MAX_SESSION_BODY_BYTES:
        return _problem(f"The session request is larger than {MAX_SESSION_BODY_BYTES} bytes.", 413, origin)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _problem("The body must be a JSON object.", 400, origin)
    if not limits.allow(f"session-ip:{request.META.get('REMOTE_ADDR', '?')}", limits.IP_SESSIONS):
        return _problem("Too many chat sessions from this address; try again in a few seconds.", 429, origin)
    identity = body.get("identity")
    if identity is not None and not isinstance(identity, dict):
        return _problem("The identity must be an object {id, email, name, hash}.", 400, origin)
    visitor = selectors.visitor_from_token(inbox=inbox, token=str(body.get("token") or ""))
    try:
        visitor = services.chat_session_open(inbox=inbox, visitor=visitor, identity=identity,
                                             referrer=str(body.get("referrer") or ""),
                                             user_agent=request.headers.get("User-Agent", ""))
    except ApplicationError as exc:
        return _problem(exc.message, exc.status, origin, **exc.extra)
    response = JsonResponse({
        "token": selectors.visitor_token(visitor), "online": selectors.agents_available(),
        "visitor": {"name": visitor.name or (visitor.contact.name if visitor.contact else ""),
                    "email": visitor.email or (visitor.contact.email if visitor.contact else ""),
                    "verified": bool(visitor.verified_id)},
        "config": _public_config(inbox), "socket": f"/ws/chat/{inbox.key}/",
    })
    response["Access-Control-Allow-Origin"] = origin
    return response


def _id(value) -> int | None:
    """Return a posted choice as an id, or None for "—" (blank) or anything that is not a number."""
    return int(value) if str(value or "").isdigit() else None


def _chat(request, number: int) -> Conversation:
    return get_object_or_404(Conversation.objects.select_related("inbox"), pk=number, inbox__kind="chat")


@login_required
@require_POST
def chat_end_view(request, number: int):
    """End the chat (an agent's button in the customer panel); the visitor is offered a rating."""
    conversation = _chat(request, number)
    try:
        services.chat_end(conversation=conversation, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The chat was ended.")
    return redirect("workspace:conversation", number)


@login_required
@require_POST
def chat_transfer_view(request, number: int):
    """Hand the chat to another agent or team with a note."""
    conversation = _chat(request, number)
    assignee = User.objects.filter(pk=_id(request.POST.get("assignee")), is_active=True).first()
    team = Team.objects.filter(pk=_id(request.POST.get("team"))).first()
    try:
        services.chat_transfer(conversation=conversation, actor=request.user, assignee=assignee, team=team,
                               note=request.POST.get("note", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The chat was transferred to {assignee or team}.")
    return redirect("workspace:conversation", number)
