from django.db import models


class SmsOptOut(models.Model):
    """A number that texted STOP to an inbox: nothing more is sent to it from there until it texts START.

    One row per (inbox, number), kept when the customer opts back in (`opted_out` false), so an
    agent can see when and with which keyword it last changed.
    """

    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="sms_opt_outs")
    number = models.CharField(max_length=40)
    opted_out = models.BooleanField(default=True)
    keyword = models.CharField(max_length=20)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "SMS opt-out"
        constraints = [models.UniqueConstraint(fields=["inbox", "number"], name="sms_opt_out_unique_per_inbox")]

    def __str__(self) -> str:
        return f"{self.number} {'opted out' if self.opted_out else 'opted in'} ({self.keyword})"
