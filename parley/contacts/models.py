from django.db import models


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
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_contacts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"Contact {self.pk}"


class IdentityKind(models.TextChoices):
    """What an identity's source id is: an address of the person, not the inbox they used."""

    EMAIL = "email", "Email address"
    PHONE = "phone", "Phone number"
    HANDLE = "handle", "Handle on a network"
    EXTERNAL_ID = "external_id", "External id"


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
    OK = "ok", "Deliverable"
    COMPLAINED = "complained", "Complained (unsubscribed)"
    UNDELIVERABLE = "undeliverable", "Undeliverable"


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
