from django.db import models


class EmailInboxState(models.Model):
    """How an email inbox's IMAP polling is going: what was fetched last, and the last failure."""

    inbox = models.OneToOneField("inboxes.Inbox", on_delete=models.CASCADE, primary_key=True, related_name="email_state")
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    #: The highest UID stored and marked seen in `uidvalidity`; a new UIDVALIDITY starts over.
    last_uid = models.PositiveBigIntegerField(default=0)
    uidvalidity = models.PositiveBigIntegerField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row; sets the backoff.")
    next_poll_at = models.DateTimeField(null=True, blank=True)
    #: A poll in progress holds the inbox until then, so two workers never poll it at once.
    polling_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "email inbox state"

    def __str__(self) -> str:
        return f"{self.inbox} (IMAP)"


class UnmatchedBounce(models.Model):
    """A bounce that names no reply Parley sent: shown to admins instead of silently dropped.

    Backscatter (bounces of mail someone else sent in our name) lands here too, which is why
    these never count against an address.
    """

    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="unmatched_bounces")
    #: The envelope holding the raw bounce, for whoever wants to read it in full.
    envelope = models.OneToOneField("inboxes.InboundEnvelope", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="unmatched_bounce")
    recipient = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=30, blank=True)
    hard = models.BooleanField(default=False)
    #: The plain-words explanation first, then what the server said.
    reason = models.TextField(blank=True)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"bounce for {self.recipient or 'an unknown recipient'}"
