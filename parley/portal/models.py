from django.db import models
from django.utils import timezone


class PortalLoginToken(models.Model):
    """A one-time sign-in link sent to a customer; only a hash of the secret is kept."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="portal_login_tokens")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    #: The link's secret is derived from this with the secret key when the mail is sent (portal.services._raw_token).
    salt = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sign-in link for {self.email}"
