"""The customer portal: help-center home, contact form, sign-in by email link, and "My requests"."""
from functools import wraps

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from parley.company.selectors import company
from parley.core.errors import ApplicationError, NotFound, PayloadTooLarge
from parley.core.i18n import browser_language
from parley.knowledge.services import deflections_mark_submitted
from parley.portal import selectors, services
from parley.portal.forms import ContactForm, LoginRequestForm, ReplyForm
from parley.ratelimit.services import RateLimited, client_ip, rate_limit_consume, rate_of

#: Session keys; kept apart from Django's auth keys so a customer session never touches agent sign-in.
SESSION_CONTACT = "portal_contact_id"
SESSION_EMAIL = "portal_email"
SESSION_NEXT = "portal_next"
SESSION_SUBMISSION = "portal_submission_envelope_id"


def _render(request, template: str, context: dict | None = None, status: int = 200):
    context = {"company_name": services.company_name(), "company": company(), "customer": getattr(request, "customer", None), **(context or {})}
    return render(request, f"portal/{template}", context, status=status)


def _refused(request, template: str, form, exc: RateLimited):
    form.add_error(None, exc.message)
    response = _render(request, template, {"form": form}, status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _signed_in(request):
    return selectors.portal_contact(contact_id=request.session.get(SESSION_CONTACT))


def customer_required(view):
    """Let only a signed-in customer through; send anyone else to the sign-in page and back."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.customer = _signed_in(request)
        if request.customer is None:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        return view(request, *args, **kwargs)
    return wrapper


def home(request):
    from parley.knowledge import locales
    from parley.knowledge.selectors import popular_articles, published_categories

    request.customer = _signed_in(request)
    locale = locales.resolve(request.GET.get("lang"), request.headers.get("Accept-Language", ""))
    return _render(request, "home.html", {"locale": locale, "categories": published_categories(locale=locale),
                                          "popular": popular_articles(locale=locale)})


@require_http_methods(["GET", "POST"])
def contact(request):
    inbox = selectors.webform_inbox()
    if inbox is None:
        return _render(request, "contact_unavailable.html", status=503)
    if request.method == "GET":
        return _render(request, "contact.html", {"form": ContactForm()})
    form = ContactForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, "contact.html", {"form": form}, status=400)
    if form.cleaned_data["website"]:
        request.session.pop(SESSION_SUBMISSION, None)
        return redirect("portal:contact_sent")
    data = form.cleaned_data
    try:
        rate_limit_consume(scope="contact-form", subject=client_ip(request), rate=rate_of("PARLEY_RATE_CONTACT_FORM"),
                           what=gettext("messages from your address"))
    except RateLimited as exc:
        return _refused(request, "contact.html", form, exc)
    try:
        envelope = services.contact_form_submit(
            inbox=inbox, submission_id=data["submission_id"], name=data["name"], email=data["email"],
            subject=data["subject"], message=data["message"], files=data["attachments"],
            language=browser_language(request))
    except PayloadTooLarge as exc:
        form.add_error("attachments", exc.message)
        return _render(request, "contact.html", {"form": form}, status=413)
    request.session[SESSION_SUBMISSION] = envelope.pk
    deflections_mark_submitted(session_key=request.session.session_key)
    return redirect("portal:contact_sent")


def contact_sent(request):
    number = selectors.submission_request_number(envelope_id=request.session.get(SESSION_SUBMISSION))
    return _render(request, "contact_sent.html", {"request_number": number})


@require_http_methods(["GET", "POST"])
def login(request):
    if request.method == "GET":
        next_url = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            request.session[SESSION_NEXT] = next_url
        else:
            request.session.pop(SESSION_NEXT, None)
        return _render(request, "login.html", {"form": LoginRequestForm()})
    form = LoginRequestForm(request.POST)
    if not form.is_valid():
        return _render(request, "login.html", {"form": form}, status=400)
    rate = rate_of("PARLEY_RATE_LOGIN_LINK")
    try:
        rate_limit_consume(scope="login-link-ip", subject=client_ip(request), rate=rate, what=gettext("sign-in links requested"))
        rate_limit_consume(scope="login-link-email", subject=form.cleaned_data["email"], rate=rate,
                           what=gettext("sign-in links requested"))
    except RateLimited as exc:
        return _refused(request, "login.html", form, exc)
    services.login_link_request(email=form.cleaned_data["email"], language=browser_language(request))
    return _render(request, "login_sent.html", {"email": form.cleaned_data["email"]})


@require_http_methods(["GET", "POST"])
def login_confirm(request, token: str):
    # Opening the link only shows a button (pressed by a line of script): mail scanners that
    # fetch links must not use up the one-time token before the customer does.
    try:
        if request.method == "GET":
            found = services.login_token_check(raw_token=token)
            return _render(request, "login_confirm.html", {"email": found.email})
        redeemed = services.login_token_redeem(raw_token=token)
    except NotFound as exc:
        return _render(request, "login_invalid.html", {"reason": exc.message}, status=exc.status)
    next_url = request.session.get(SESSION_NEXT) or reverse("portal:requests")
    request.session.cycle_key()
    request.session[SESSION_CONTACT] = redeemed.contact_id
    request.session[SESSION_EMAIL] = redeemed.email
    request.session.pop(SESSION_NEXT, None)
    return redirect(next_url)


@require_POST
def logout(request):
    for key in (SESSION_CONTACT, SESSION_EMAIL, SESSION_NEXT):
        request.session.pop(key, None)
    return redirect("portal:home")


@customer_required
def requests(request):
    conversations = [(c, selectors.customer_status_label(c)) for c in selectors.customer_conversations(contact=request.customer)]
    return _render(request, "requests.html", {"conversations": conversations})


def _customer_conversation(request, conversation_id: int):
    try:
        return selectors.customer_conversation(contact=request.customer, conversation_id=conversation_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


@customer_required
@require_http_methods(["GET", "POST"])
def request_detail(request, conversation_id: int):
    conversation = _customer_conversation(request, conversation_id)
    form, status = ReplyForm(), 200
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.customer_reply(contact=request.customer, email=request.session[SESSION_EMAIL], conversation=conversation,
                                        submission_id=form.cleaned_data["submission_id"], text=form.cleaned_data["text"],
                                        files=form.cleaned_data["attachments"])
                return redirect(reverse("portal:request", args=[conversation.pk]) + "#latest")
            except PayloadTooLarge as exc:
                form.add_error("attachments", exc.message)
                status = exc.status
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = 400
        else:
            status = 400
    return _render(request, "request_detail.html", {
        "conversation": conversation, "status_label": selectors.customer_status_label(conversation),
        "timeline": selectors.customer_timeline(conversation=conversation), "form": form,
        "pending_replies": selectors.customer_pending_replies(conversation=conversation),
    }, status=status)


@customer_required
def request_attachment(request, conversation_id: int, attachment_id: int):
    try:
        attachment = selectors.customer_attachment(contact=request.customer, conversation_id=conversation_id,
                                                   attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                        content_type=attachment.content_type)
