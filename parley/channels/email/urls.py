"""Provider inbound webhooks: POST /channels/email/inbound/<provider>/."""
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.urls import path, re_path

from parley.channels.email.webhooks import provider_view

app_name = "email"
urlpatterns = [
    # Mailgun posts the raw MIME when the URL contains "mime", its parsed fields otherwise.
    re_path(r"^inbound/mailgun(?:_mime)?/$", provider_view(MailgunInboundWebhookView, needs_secret=False), name="mailgun"),
    path("inbound/postmark/", provider_view(PostmarkInboundWebhookView, needs_secret=True), name="postmark"),
    path("inbound/sendgrid/", provider_view(SendGridInboundWebhookView, needs_secret=True), name="sendgrid"),
    path("inbound/amazon_ses/", provider_view(AmazonSESInboundWebhookView, needs_secret=True), name="amazon_ses"),
]
