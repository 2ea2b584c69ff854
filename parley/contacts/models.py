from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=200, blank=True, db_index=True)
    custom_attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Segment(models.Model):
    """A named group of contacts (VIP, customer type …) that routing and campaigns can target."""

    name = models.CharField(max_length=100, unique=True)
    color = models.CharField(max_length=7, default="#6b7280")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A customer. One contact has many identities, one per way they reached us."""

    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True, db_index=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    segments = models.ManyToManyField(Segment, related_name="contacts", blank=True)
    custom_attributes = models.JSONField(default=dict, blank=True)
    #: The language mail to this customer is written in (a code of settings.LANGUAGES); blank is the site's default.
    language = models.CharField(max_length=10, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_contacts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"Contact {self.pk}"


class IdentityKind(models.TextChoices):
    """What an identity's source id is: an address of the person, not the inbox they used."""

    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    HANDLE = "handle", _("Handle on a network")
    EXTERNAL_ID = "external_id", _("External id")
    #: The address in angle brackets of a From header that did not name one sender clearly. It may belong to a
    #: known customer, so it never joins their contact: whoever wrote is a separate, unverified sender.
    UNVERIFIED_EMAIL = "unverified_email", _("Unverified sender")


#: Networks a handle lives on; others are accepted as long as they are a lower-case word.
NETWORKS = ("telegram", "x", "messenger", "instagram", "chat")

#: Kinds named after a channel before identities described addresses: old name -> (kind, network).
LEGACY_IDENTITY_KINDS = {
    "whatsapp": (IdentityKind.PHONE, ""),
    "messenger": (IdentityKind.HANDLE, "messenger"),
    "instagram": (IdentityKind.HANDLE, "instagram"),
    "telegram": (IdentityKind.HANDLE, "telegram"),
    "x": (IdentityKind.HANDLE, "x"),
    "chat_visitor": (IdentityKind.HANDLE, "chat"),
}

#: Kinds that name the same person whichever inbox they write to, so they join contacts across inboxes.
GLOBAL_IDENTITY_KINDS = {IdentityKind.EMAIL, IdentityKind.PHONE}


class ContactIdentity(models.Model):
    """How a contact is known in one inbox: unique per (inbox, kind, network, source_id).

    Phone numbers are stored in E.164 and email addresses lower-cased, so one number on SMS,
    WhatsApp and voice finds one contact.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    #: The network of a handle (telegram, x, messenger, instagram, chat …); empty for the other kinds.
    network = models.CharField(max_length=30, blank=True, default="")
    source_id = models.CharField(max_length=320)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inbox", "kind", "network", "source_id"], name="identity_unique_per_inbox")]
        indexes = [models.Index(fields=["kind", "source_id"])]

    def __str__(self) -> str:
        return f"{self.network or self.kind}:{self.source_id}"


class AddressState(models.TextChoices):
    OK = "ok", _("Deliverable")
    COMPLAINED = "complained", _("Complained (unsubscribed)")
    UNDELIVERABLE = "undeliverable", _("Undeliverable")


class EmailAddressStatus(models.Model):
    """Whether mail to an address should be sent: a spam complaint or repeated hard bounces say no.

    Kept per address, not per contact: the mailbox provider reports an address, and whichever
    contact holds it (after a merge, say) is warned alike.
    """

    address = models.CharField(max_length=320, unique=True)
    state = models.CharField(max_length=15, choices=AddressState.choices, default=AddressState.OK)
    #: Permanent failures that condemn the address (unknown user, no such domain), one per failed reply.
    hard_bounces = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "email address status"
        verbose_name_plural = "email address statuses"

    def __str__(self) -> str:
        return f"{self.address}: {self.state}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


def export_path(instance: "ContactExport", filename: str) -> str:
    return f"exports/contacts/{filename}"


class ContactExport(models.Model):
    """Everything Parley holds about one contact, as a zip built by a job (the right of access): its progress and file."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    #: Messages written to the archive so far, of `total`.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    #: Stored under a random name; only the permission-checked download views serve it.
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Export of {self.contact} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return 100 if self.status == ExportStatus.DONE else self.done * 100 // max(self.total, 1)
