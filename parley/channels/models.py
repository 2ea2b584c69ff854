import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def inbox_key_new() -> str:
    """Return a fresh unguessable inbox key (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


class Inbox(models.Model):
    """One configured channel: where customers reach us (an address, a widget, a number …)."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, db_index=True)
    config = models.JSONField(default=dict, blank=True)
    default_team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    greeting = models.TextField(blank=True)
    signing_secret = models.CharField(max_length=64, default=secrets.token_hex, help_text="Signs callbacks Parley sends for this inbox.")
    # Public, in the inbox's webhook URLs (/channels/<kind>/<key>/…): unguessable so the URL alone
    # does not let anyone post into an inbox whose provider signs nothing.
    key = models.CharField(max_length=32, unique=True, default=inbox_key_new, editable=False,
                           help_text="Names the inbox in its webhook URLs.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "inboxes"

    def __str__(self) -> str:
        return self.name

    @property
    def adapter(self):
        from parley.channels.registry import get_adapter

        return get_adapter(self.kind)

    @property
    def settings(self) -> dict:
        """The configuration with its secrets decrypted, for the code that uses them (never for display)."""
        from parley.channels.config import config_plain

        return config_plain(self)


class EnvelopeStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")


class InboundEnvelope(models.Model):
    """A raw inbound payload, stored before anything else happens to it so nothing is lost."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="envelopes")
    external_id = models.CharField(max_length=255)
    payload = models.JSONField(default=dict, blank=True)
    raw = models.BinaryField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=EnvelopeStatus.choices, default=EnvelopeStatus.RECEIVED, db_index=True)
    #: The latest processing error; attempts, backoff and the dead letter are on its job (core.jobs).
    last_error = models.TextField(blank=True)
    message = models.ForeignKey("conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["inbox", "external_id"], name="envelope_unique_per_inbox")]

    def __str__(self) -> str:
        return f"{self.inbox_id}:{self.external_id} ({self.status})"


class InboxAddress(models.Model):
    """An address an inbox receives on (an email address, a phone number, a page id, a bot username).

    Kept in step with the inbox configuration by inbox_create and inbox_update; unique per
    (kind, address), so two inboxes never claim one address and routing is one indexed lookup.
    """

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20)
    address = models.CharField(max_length=320)

    class Meta:
        ordering = ["kind", "address"]
        verbose_name_plural = "inbox addresses"
        constraints = [models.UniqueConstraint(fields=["kind", "address"], name="inbox_address_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.address}"
