from django.db import models


class RateCounter(models.Model):
    """Hits on one key (e.g. "signin-ip:203.0.113.5") in one fixed window; the embedded default's shared store."""

    key = models.CharField(max_length=200)
    window = models.BigIntegerField(help_text="Start of the window, in seconds since the epoch.")
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="ratecounter_unique_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window}: {self.hits}"
