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
