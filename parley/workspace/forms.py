"""Forms that parse what an agent submits in the workspace into the arguments services take."""
import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.db.models import Q
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import ApiToken, Availability, Role, Team, User
from parley.accounts.services import SIGNATURE_MAX_LENGTH
from parley.channels.base import InboundAttachment
from parley.channels.registry import kinds
from parley.contacts.models import Contact, Organization, Segment
from parley.contacts.selectors import contact_list
from parley.conversations.models import Conversation, ConversationType, CustomField, CustomStatus, FieldKind, Priority, Status
from parley.conversations.selectors import VIEWS, ConversationFilters, conversation_list
from parley.core.errors import ApplicationError
from parley.core.i18n import offered_languages
from parley.core.phones import phone_display

VIEW_LABELS = {"mine": _("Mine"), "unassigned": _("Unassigned"), "teams": _("My teams"), "all": _("All")}
ANY = ("", _("Any"))


def assignable_agents():
    return User.objects.filter(is_active=True).exclude(role=Role.LIGHT_AGENT)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class ConversationListForm(forms.Form):
    """The inbox list's view, filters, search text and page, all from the query string."""

    view = forms.ChoiceField(choices=[(v, VIEW_LABELS[v]) for v in VIEWS], required=False)
    status = forms.ChoiceField(required=False, choices=[("active", _("Active")), ("any", _("Any status")), *Status.choices])
    kind = forms.ChoiceField(required=False, label=_("Channel"))
    priority = forms.ChoiceField(required=False, choices=[ANY, *Priority.choices])
    tag = forms.CharField(required=False, max_length=50)
    assignee = forms.ModelChoiceField(queryset=assignable_agents(), required=False, empty_label=_("Anyone"))
    automatic = forms.ChoiceField(required=False, label=_("Automatic mail"), choices=[
        ("", _("Show")), ("hide", _("Hide")), ("only", _("Only automatic"))])
    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label=_("Any"))
    organization = forms.ModelChoiceField(queryset=Organization.objects.order_by("name"), required=False, empty_label=_("Any"))
    customer = forms.ModelChoiceField(queryset=Contact.objects.all(), required=False, widget=forms.HiddenInput)
    custom_status = forms.ModelChoiceField(queryset=CustomStatus.objects.all(), required=False, empty_label=_("Any"),
                                           label=_("Custom status"))
    created_from = forms.DateField(required=False, label=_("Opened from"), widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label=_("Opened until"), widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(required=False, choices=[("", _("Last activity")), ("waiting", _("Oldest waiting")),
                                                      ("priority", _("Priority")), ("due", _("Due soonest"))])
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [ANY, *kinds().items()]

    def clean(self):
        data = super().clean()
        if data.get("created_from") and data.get("created_to") and data["created_from"] > data["created_to"]:
            self.add_error("created_to", _("The end of the date range is before its start."))
        return data

    def filters(self) -> ConversationFilters:
        data = self.cleaned_data
        status = data["status"] or "active"
        return ConversationFilters(
            view=data["view"] or "all", status="" if status == "any" else status, inbox_kind=data["kind"],
            priority=data["priority"], tag=data["tag"].strip(), text=data["q"].strip(),
            assignee_id=data["assignee"].pk if data["assignee"] else None,
            automatic={"hide": False, "only": True}.get(data["automatic"]),
            team_id=_pk(data["team"]), organization_id=_pk(data["organization"]), contact_id=_pk(data["customer"]),
            custom_status_id=_pk(data["custom_status"]), created_from=data["created_from"], created_to=data["created_to"],
            order=data["sort"] or "activity",
        )


def _pk(record) -> int | None:
    return record.pk if record is not None else None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of uploaded files, each refused (code "too_large") past PARLEY_MAX_ATTACHMENT_BYTES."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else [data]
        cleaned = [super(AttachmentsField, self).clean(upload, initial) for upload in uploads]
        files = [upload for upload in cleaned if upload]
        limit = settings.PARLEY_MAX_ATTACHMENT_BYTES
        # Checked on the upload's size so an oversized file is never read into memory.
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is %(size)s; attachments may be up to %(limit)s each."), code="too_large",
                    params={"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
        return files


class ComposerForm(forms.Form):
    """What reply and note share: text and attached files."""

    attachments = AttachmentsField(required=False)

    def attachments_for_service(self) -> tuple[InboundAttachment, ...]:
        """Return the uploads in the shape message_reply and message_note take."""
        return tuple(InboundAttachment(filename=upload.name, content_type=upload.content_type or "", content=upload.read())
                     for upload in self.cleaned_data["attachments"])


class ReplyForm(ComposerForm):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Write a reply…"}))
    status = forms.ChoiceField(required=False, label=_("Submit as"), choices=[("", _("Keep status")), *Status.choices])
    cc = forms.CharField(required=False, max_length=2000, label=_("Cc"))
    bcc = forms.CharField(required=False, max_length=2000, label=_("Bcc"))

    def copies(self, field: str) -> list[str]:
        """The addresses typed into Cc or Bcc, separated by commas, semicolons or spaces (the service checks them)."""
        return [a for a in re.split(r"[,;\s]+", self.cleaned_data[field]) if a]

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip() and not data.get("attachments") and "attachments" not in self.errors:
            self.add_error("text", forms.ValidationError(_("Write something or attach a file before sending."), code="required"))
        return data


class NoteForm(ComposerForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Internal note — @name to mention")}),
                           error_messages={"required": _("Write something before adding a note.")})


class AgentChoiceField(forms.ModelChoiceField):
    """An agent picker whose options say whether each agent is online, away or offline."""

    def label_from_instance(self, agent: User) -> str:
        return f"{agent} — {agent.get_availability_display()}"


class AssignForm(forms.Form):
    assignee = AgentChoiceField(queryset=assignable_agents(), required=False, empty_label=_("Nobody"))
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label=_("No team"))


class StatusForm(forms.Form):
    """A built-in status, or "custom-<id>" for a team's own status."""

    status = forms.ChoiceField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = str(self.initial.get("status", ""))
        # An archived status is offered no more, except to the conversations already in it.
        statuses = CustomStatus.objects.filter(Q(archived=False) | Q(pk=int(current.removeprefix("custom-")) if current.startswith("custom-") else None))
        custom = [(f"custom-{c.pk}", f"{c.name} ({c.get_category_display()})") for c in statuses]
        self.fields["status"].choices = [*Status.choices, *custom]

    def service_arguments(self) -> dict:
        value = self.cleaned_data["status"]
        if value.startswith("custom-"):
            return {"custom_status": CustomStatus.objects.get(pk=int(value.removeprefix("custom-")))}
        return {"status": value}


class FieldsForm(forms.Form):
    """Priority, type, and one input per active custom field (named "custom_<key>"; the service checks values)."""

    priority = forms.ChoiceField(choices=Priority.choices)
    type = forms.ChoiceField(choices=ConversationType.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom = list(CustomField.objects.filter(archived=False))
        for definition in self.custom:
            self.fields[f"custom_{definition.key}"] = _custom_input(definition)

    @classmethod
    def initial_for(cls, conversation: Conversation) -> dict:
        return {"priority": conversation.priority, "type": conversation.type,
                **{f"custom_{key}": value for key, value in (conversation.custom_fields or {}).items()}}

    def custom_inputs(self):
        return [self[f"custom_{definition.key}"] for definition in self.custom]

    def custom_values(self) -> dict:
        return {definition.key: self.cleaned_data[f"custom_{definition.key}"] for definition in self.custom}


def _custom_input(definition: CustomField) -> forms.Field:
    label = _("%(field)s (required to solve)") % {"field": definition.label} if definition.required_to_solve else definition.label
    if definition.kind == FieldKind.CHOICE:
        return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *((c, c) for c in definition.choices)])
    if definition.kind == FieldKind.CHECKBOX:
        return forms.BooleanField(label=label, required=False)
    widget = {FieldKind.DATE: forms.DateInput(attrs={"type": "date"}),
              FieldKind.NUMBER: forms.TextInput(attrs={"inputmode": "decimal"})}.get(definition.kind, forms.TextInput())
    return forms.CharField(label=label, required=False, max_length=500, widget=widget)


class TagsForm(forms.Form):
    tags = forms.CharField(required=False, max_length=1000, help_text=_("Comma separated"))

    def tag_names(self) -> list[str]:
        return [name for name in self.cleaned_data["tags"].split(",") if name.strip()]


class DetailsForm(AssignForm, StatusForm, FieldsForm, TagsForm):
    """The whole Details panel (assignee, team, status, priority, type, custom fields, tags), saved at once.

    `shown` carries the values the panel showed: saving changes only what the agent changed from them, never
    undoing what a colleague changed meanwhile.
    """

    shown = forms.JSONField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, conversation: Conversation) -> dict:
        values = {"assignee": conversation.assignee_id, "team": conversation.team_id,
                  "status": f"custom-{conversation.custom_status_id}" if conversation.custom_status_id else conversation.status,
                  "tags": ", ".join(t.name for t in conversation.tags.all()), **FieldsForm.initial_for(conversation)}
        return {**values, "shown": values}


class EscalateForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label=_("Keep team"))

    def __init__(self, *args, **kwargs):
        # Shown beside the assign form, which has a "team" field too; ids must stay unique.
        kwargs.setdefault("auto_id", "escalate_%s")
        super().__init__(*args, **kwargs)


class ResendForm(forms.Form):
    """A failed reply of this conversation, to be sent again."""

    message = forms.IntegerField(min_value=1, error_messages={"required": _("Which reply?")})

    def reply_of(self, conversation):
        reply = conversation.messages.filter(pk=self.cleaned_data["message"]).first()
        if reply is None:
            raise ApplicationError(str(_("That reply is not on this conversation.")), extra={"message": "not found"}, status=404)
        return reply


class OtherConversationForm(forms.Form):
    """Another conversation named by its number ("1234" or "#1234"), for merge and link."""

    number = forms.CharField(max_length=20, error_messages={"required": _("Enter a conversation number.")})

    def clean_number(self) -> Conversation:
        raw = self.cleaned_data["number"].strip().lstrip("#")
        if not raw.isdigit():
            raise forms.ValidationError(_("A conversation number is digits only, like 1234."))
        other = Conversation.objects.filter(pk=int(raw)).first()
        if other is None:
            raise forms.ValidationError(_("There is no conversation #%(number)s.") % {"number": raw})
        return other


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(choices=Availability.choices, error_messages={
        "required": _("Choose online, away or offline."), "invalid_choice": _("Choose online, away or offline.")})


class CustomerSearchForm(forms.Form):
    """The name or email an agent types to find the customer to merge into."""

    q = forms.CharField(required=False, max_length=200, label=_("Find the customer to keep"))

    #: Fewer characters would list half the customer base.
    MIN_LENGTH = 2

    def query(self) -> str:
        text = self.cleaned_data["q"].strip() if self.is_valid() else ""
        return text if len(text) >= self.MIN_LENGTH else ""


class CustomerMergeForm(forms.Form):
    """The customer that stays when this conversation's customer is merged into them."""

    into = forms.ModelChoiceField(queryset=contact_list(), label=_("Customer to keep"), error_messages={
        "required": _("Choose the customer to keep."),
        "invalid_choice": _("That customer no longer exists or was merged into another one."),
    })


class CustomerListForm(forms.Form):
    """The customers directory's search text, segment and page, from the query string."""

    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    segment = forms.ModelChoiceField(queryset=Segment.objects.all(), required=False, empty_label=_("Any segment"), error_messages={
        "invalid_choice": _("That segment does not exist.")})
    page = forms.IntegerField(required=False, min_value=1)


class ContactEditForm(forms.Form):
    """A customer's name, email, phone and organization, as contact_update takes them."""

    name = forms.CharField(label=_("Name"), required=False, max_length=Contact._meta.get_field("name").max_length)
    email = forms.EmailField(label=_("Email"), required=False, max_length=Contact._meta.get_field("email").max_length)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=Contact._meta.get_field("phone").max_length, validators=[
        RegexValidator(r"^\+?[0-9][0-9 ().\-/]*$", _("A phone number has digits, spaces, + - ( ) . / only."))])
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.all(), required=False,
                                          empty_label=_("No organization"),
                                          error_messages={"invalid_choice": _("That organization does not exist.")})
    language = forms.ChoiceField(required=False, label=_("Language of mail"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [("", _("The company's default"))] + [
            (code, names[code]) for code in offered_languages()]

    @classmethod
    def for_contact(cls, contact: Contact) -> "ContactEditForm":
        return cls(initial={"name": contact.name, "email": contact.email, "phone": phone_display(contact.phone),
                            "organization": contact.organization_id, "language": contact.language})

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(field) for field in ("name", "email", "phone")):
            raise forms.ValidationError(_("Give the customer a name, an email or a phone number."))
        return data


class ProfileForm(forms.Form):
    """The agent's own display name and email signature."""

    name = forms.CharField(max_length=User._meta.get_field("name").max_length, error_messages={"required": _("Your name cannot be empty.")})
    signature = forms.CharField(required=False, max_length=SIGNATURE_MAX_LENGTH, strip=False, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("Added below your replies by email."))
    language = forms.ChoiceField(required=False, label=_("Language"),
                                 choices=[("", _("As my browser asks"))] + list(settings.LANGUAGES))


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=ApiToken._meta.get_field("name").max_length, label=_("Token name"),
                           error_messages={"required": _("Name the token after the app or script that will use it.")})


def first_error(form) -> str:
    """Return the form's first error, prefixed by the label of the field it belongs to."""
    field, errors = next(iter(form.errors.items()))
    if field not in form.fields:
        return errors[0]
    return f"{form.fields[field].label or field.capitalize()}: {errors[0]}"


class ConversationIdsField(forms.TypedMultipleChoiceField):
    """Conversation numbers ticked in the list: any number passes here; the bulk job names those that are gone."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, **kwargs)

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class BulkForm(forms.Form):
    """A bulk action: what to do, its value, and either the selected rows or every conversation the list's filters match."""

    action = forms.ChoiceField(choices=[("assign", _("Assign to")), ("team", _("Move to team")), ("status", _("Set status")),
                                        ("priority", _("Set priority")), ("tags", _("Add tags")), ("merge", _("Merge into the first"))])
    assignee = forms.ModelChoiceField(queryset=assignable_agents(), required=False, empty_label=_("Nobody"))
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label=_("No team"))
    status = forms.ChoiceField(required=False)
    priority = forms.ChoiceField(choices=Priority.choices, required=False)
    tags = forms.CharField(required=False, max_length=500, help_text=_("Comma separated"))
    ids = ConversationIdsField(required=False)
    all_matching = forms.BooleanField(required=False)
    #: The list's query string, for "all matching".
    query = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = StatusForm().fields["status"].choices

    def value(self):
        data = self.cleaned_data
        action = data["action"]
        if action in ("assign", "team"):
            record = data["assignee" if action == "assign" else "team"]
            return record.pk if record else None
        if action == "tags":
            return [t.strip().lower() for t in data["tags"].split(",") if t.strip()]
        return None if action == "merge" else data[action]

    def conversation_ids(self, user) -> list[int]:
        if not self.cleaned_data["all_matching"]:
            return self.cleaned_data["ids"]
        listing = ConversationListForm(QueryDict(self.cleaned_data["query"]))
        if not listing.is_valid():
            raise ApplicationError(str(_("The list's filters are not valid; apply them again.")), extra={"query": "invalid"}, status=422)
        return list(conversation_list(user=user, filters=listing.filters()).values_list("pk", flat=True))


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=60, error_messages={"required": _("Give the view a name.")})
    query = forms.CharField(required=False, max_length=2000)
    shared = forms.BooleanField(required=False)
