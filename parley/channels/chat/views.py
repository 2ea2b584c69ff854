"""HTTP of the chat channel: the widget script, the widget's session, and the agent's end and transfer buttons."""
import json
from functools import lru_cache, wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.accounts.models import Team, User
from parley.channels.base import InboundAttachment
from parley.channels.chat import limits, selectors, services
from parley.channels.chat.adapter import ChatAdapter
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
            "proactive_paths": config.get("proactive_paths", []), "file_types": list(ChatAdapter.capabilities.attachments.types)}


def _in_widget_language(view):
    """Run a widget's call for the inbox its key names (None when there is none) in the language the widget speaks to
    the visitor: their browser's, else the inbox's, so a refusal reads like the widget around it."""
    @wraps(view)
    def call(request, key: str):
        inbox = Inbox.objects.filter(key=key, kind="chat", is_active=True).first()
        with translation.override(selectors.widget_language(accept_language=request.headers.get("Accept-Language", ""),
                                                            default=inbox.settings.get("language", "en") if inbox else "en")):
            return view(request, inbox)
    return call


def _widget_call(request, inbox: Inbox | None) -> tuple[str, HttpResponse | None]:
    """Check a widget's cross-origin call: (origin, None) to go on, or a response that ends it (refusal, preflight)."""
    origin = request.headers.get("Origin", "")
    if inbox is None:
        return origin, _problem(gettext("No such chat."), 404)
    if not origin_allowed(inbox, origin, request.get_host()):
        return origin, _problem(gettext("This site may not use this chat: add its origin to the inbox's allowed origins."), 403,
                                origin="", origin_refused=origin or "(none)")
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "3600"
        return origin, response
    return origin, None


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
@_in_widget_language
def session_open(request, inbox: Inbox | None):
    """Start or resume a widget session: a visitor token, the inbox's look, whether an agent is online.

    Only pages of the inbox's allowed origins (and Parley's own) get an answer their browser
    lets them read. Body: {"token"?, "identity"?: {id, email, name, hash}, "referrer"?}.
    """
    origin, answered = _widget_call(request, inbox)
    if answered:
        return answered
    if len(request.body) > MAX_SESSION_BODY_BYTES:
        return _problem(gettext("The session request is larger than %(max)s bytes.") % {"max": MAX_SESSION_BODY_BYTES}, 413, origin)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _problem(gettext("The body must be a JSON object."), 400, origin)
    if not limits.allow(f"session-ip:{request.META.get('REMOTE_ADDR', '?')}", limits.IP_SESSIONS):
        return _problem(gettext("Too many chat sessions from this address; try again in a few seconds."), 429, origin)
    identity = body.get("identity")
    if identity is not None and not isinstance(identity, dict):
        return _problem(gettext("The identity must be an object {id, email, name, hash}."), 400, origin)
    visitor = selectors.visitor_from_token(inbox=inbox, token=str(body.get("token") or ""))
    words = selectors.widget_words(translation.get_language())
    try:
        visitor = services.chat_session_open(inbox=inbox, visitor=visitor, identity=identity,
                                             referrer=str(body.get("referrer") or ""),
                                             user_agent=request.headers.get("User-Agent", ""))
    except ApplicationError as exc:
        # With the words, so a widget refused on its first call can still say why in the visitor's language.
        problem = JsonResponse({"message": exc.message, "extra": exc.extra, "words": words}, status=exc.status)
        problem["Access-Control-Allow-Origin"] = origin
        return problem
    response = JsonResponse({
        "token": selectors.visitor_token(visitor), "online": selectors.agents_available(inbox=inbox), "words": words,
        "visitor": {"name": visitor.name or (visitor.contact.name if visitor.contact else ""),
                    "email": visitor.email or (visitor.contact.email if visitor.contact else ""),
                    "verified": bool(visitor.verified_id)},
        "config": _public_config(inbox), "socket": f"/ws/chat/{inbox.key}/",
    })
    response["Access-Control-Allow-Origin"] = origin
    return response


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
@_in_widget_language
def file_upload(request, inbox: Inbox | None):
    """A visitor sends a file (multipart: token, client_id, file, optional text); answers the stored message.

    The chat's attachment rules (types, size) are checked before anything is stored; a refused
    file gets 400 with the reason, a file over the request limit 413.
    """
    origin, answered = _widget_call(request, inbox)
    if answered:
        return answered
    visitor = selectors.visitor_from_token(inbox=inbox, token=request.POST.get("token", ""))
    if visitor is None:
        return _problem(gettext("This chat session is not valid; reload the page."), 403, origin)
    if not limits.allow(f"visitor:{visitor.public_id}", limits.VISITOR_FRAMES):
        return _problem(gettext("Too many messages at once; wait a few seconds and try again."), 429, origin)
    upload = request.FILES.get("file")
    if upload is None:
        return _problem(gettext("Choose a file to send."), 400, origin, file="required")
    if upload.size > ChatAdapter.capabilities.attachments.byte_limit:
        # Not read into memory: the rules' own message says how large a file may be.
        too_large = gettext("%(file)s: larger than %(size)s") % {
            "file": upload.name, "size": filesizeformat(ChatAdapter.capabilities.attachments.byte_limit)}
        return _problem(gettext("This file cannot be sent: %(reason)s.") % {"reason": too_large}, 413, origin)
    file = InboundAttachment(filename=upload.name[:255], content_type=upload.content_type or "", content=upload.read())
    try:
        message = services.chat_message_post(visitor=visitor, text=request.POST.get("text", ""),
                                             client_id=request.POST.get("client_id", ""), files=(file,))
    except ApplicationError as exc:
        return _problem(exc.message, exc.status, origin, **exc.extra)
    response = JsonResponse({"message": selectors.message_shown(message)}, status=201)
    response["Access-Control-Allow-Origin"] = origin
    return response


@require_GET
def file_download(request, signed: str):
    """Send a chat file to whoever holds its signed link; pictures show inline, anything else downloads."""
    attachment = selectors.attachment_from_link(signed)
    if attachment is None:
        return _problem(gettext("No such file."), 404)
    inline = attachment.content_type in selectors.INLINE_IMAGE_TYPES
    response = FileResponse(attachment.file.open("rb"), as_attachment=not inline, filename=attachment.filename,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@login_required
@require_GET
def chat_tray_view(request):
    """The agent's chat tray (a fragment the workspace keeps at the bottom of every page, refreshed as chats move)."""
    current = _id(request.GET.get("current"))
    return render(request, "chat/_tray.html", {"chats": selectors.chat_tray(user=request.user), "current": current})


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
        messages.success(request, gettext("The chat was ended."))
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
        messages.success(request, gettext("The chat was transferred to %(to)s.") % {"to": assignee or team})
    return redirect("workspace:conversation", number)
