from django.db import models


class CompanyProfile(models.Model):
    """How the company presents itself to customers: one row, edited in Settings → Company.

    Empty fields fall back to the environment (PARLEY_COMPANY_NAME, PARLEY_FROM_EMAIL, PARLEY_TIME_ZONE).
    """

    name = models.CharField(max_length=100, blank=True)
    #: The accent colour of the help center and of the workspace's brand mark, as #rrggbb.
    color = models.CharField(max_length=7, blank=True)
    default_sender = models.EmailField(blank=True, help_text="The From address of mail that is not a reply from an inbox.")
    time_zone = models.CharField(max_length=64, blank=True)
    #: The languages customers are served in (codes of settings.LANGUAGES), the first being theirs when their
    #: browser asks for none of them; empty: every language Parley ships, English first.
    languages = models.JSONField(default=list, blank=True)
    #: Small enough to keep in the database, so every web process serves it without shared files.
    logo = models.BinaryField(null=True, blank=True, editable=False)
    logo_content_type = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "company profile"

    def __str__(self) -> str:
        return self.name or "Company profile"
