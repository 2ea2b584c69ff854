"""Inbound mail from email providers (Mailgun, SendGrid, Postmark, Amazon SES …) through django-anymail.

They are channel-level endpoints of the webhook seam, at /channels/email/inbound/<provider>/:
one URL per provider, since the recipient address picks the inbox. Anymail's views check each
provider's signature (Mailgun's HMAC with MAILGUN_WEBHOOK_SIGNING_KEY, basic auth with
WEBHOOK_SECRET for the others, SNS signatures for SES), refused with a JSON 403; its `inbound`
signal then reaches `inbound_store`, which stores the raw mail as an envelope of the inbox it
is addressed to.
"""
from __future__ import annotations

import time
from functools import wraps

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import inbound
from anymail.utils import get_anymail_setting
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse

from parley.channels.base import Endpoint
from parley.channels.email.selectors import inbox_for_address
from parley.channels.email.services import email_store
from parley.core.errors import ApplicationError
from parley.ratelimit.services import token_first_use


class FreshMailgunInboundWebhookView(MailgunInboundWebhookView):
    """Mailgun's signature, plus what Mailgun asks receivers to check: a recent timestamp and a token used once.

    The signature alone covers only timestamp + token, so a captured request could be posted again forever.
    """

    def validate_request(self, request):
        super().validate_request(request)
        timestamp, token = request.POST.get("timestamp", ""), request.POST.get("token", "")
        max_age = settings.PARLEY_WEBHOOK_MAX_AGE
        try:
            age = abs(time.time() - float(timestamp))
        except ValueError:
            raise AnymailWebhookValidationFailure("Mailgun webhook timestamp is not a number") from None
        if age > max_age:
            raise AnymailWebhookValidationFailure(f"Mailgun webhook timestamp is {int(age)} s old; at most {max_age} s is taken")
        if not token_first_use(scope="mailgun-token", token=token, keep_seconds=2 * max_age):
            raise AnymailWebhookValidationFailure("Mailgun webhook token was already used (a replayed request)")


class UnknownRecipient(ApplicationError):
    # 406: Mailgun and others stop retrying a delivery refused this way.
    status = 406


def inbound_store(sender, event, esp_name: str, **kwargs) -> None:
    """Store an inbound mail from a provider as an envelope of the inbox it was sent to."""
    message = event.message
    candidates = [message.envelope_recipient or ""] + [a.addr_spec for a in message.to + message.cc]
    inbox = next((found for found in map(inbox_for_address, filter(None, candidates)) if found), None)
    if inbox is None:
        raise UnknownRecipient(f"No inbox receives mail for {', '.join(filter(None, candidates)) or 'this message'}.",
                               extra={"recipient": "unknown", "provider": esp_name})
    email_store(inbox=inbox, raw=message.as_bytes())


def connect() -> None:
    inbound.connect(inbound_store, dispatch_uid="parley.channels.email.inbound_store")


def provider_view(view_class, *, needs_secret: bool):
    """Wrap an anymail inbound view: refuse when the provider's secret is not configured, answer our errors as JSON."""
    view = view_class.as_view()

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if needs_secret and not get_anymail_setting("webhook_secret", default=None):
            return JsonResponse({"message": "Inbound webhooks need ANYMAIL['WEBHOOK_SECRET'] to be configured.",
                                 "extra": {"setting": "WEBHOOK_SECRET"}}, status=403)
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured as exc:
            # A provider whose key or package is missing is refused plainly; never a 500 the provider retries.
            return JsonResponse({"message": f"This provider's inbound mail is not set up on this server: {exc}",
                                 "extra": {"provider": "not configured"}}, status=403)
        except AnymailWebhookValidationFailure as exc:
            return JsonResponse({"message": "The provider's signature or credentials are not valid.",
                                 "extra": {"signature": str(exc)}}, status=403)
        except ApplicationError as exc:
            return JsonResponse({"message": exc.message, "extra": exc.extra}, status=exc.status)

    return wrapped


def provider_endpoints() -> list[Endpoint]:
    """Return the inbound endpoints of the providers Parley takes mail from (HEAD: some check the URL first)."""
    mailgun = provider_view(FreshMailgunInboundWebhookView, needs_secret=False)
    views = {
        # Mailgun posts the raw MIME when the URL contains "mime", its parsed fields otherwise.
        "mailgun": mailgun,
        "mailgun_mime": mailgun,
        "postmark": provider_view(PostmarkInboundWebhookView, needs_secret=True),
        "sendgrid": provider_view(SendGridInboundWebhookView, needs_secret=True),
        "amazon_ses": provider_view(AmazonSESInboundWebhookView, needs_secret=True),
    }
    return [Endpoint(path=f"inbound/{provider}/", view=view, methods=("POST", "HEAD")) for provider, view in views.items()]
