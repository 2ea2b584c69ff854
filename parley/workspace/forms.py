"""Forms that parse what an agent submits in the workspace into the arguments services take."""
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from parley.accounts.models import Role, Team, User
from parley.channels.registry import kinds
from parley.conversations.models import Conversation, ConversationType, CustomStatus, Priority, Status
from parley.conversations.selectors import VIEWS, ConversationFilters

VIEW_LABELS = {"mine": "Mine", "unassigned": "Unassigned", "teams": "My teams", "all": "All"}
ANY = ("", "Any")


def assignable_agents():
    return User.objects.filter(is_active=True).exclude(role=Role.LIGHT_AGENT)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class ConversationListForm(forms.Form):
    """The inbox list's view, filters, search text and page, all from the query string."""

    view = forms.ChoiceField(choices=[(v, VIEW_LABELS[v]) for v in VIEWS], required=False)
    status = forms.ChoiceField(required=False, choices=[("active", "Active"), ("any", "Any status"), *Status.choices])
    kind = forms.ChoiceField(required=False, label="Channel")
    priority = forms.ChoiceField(required=False, choices=[ANY, *Priority.choices])
    tag = forms.CharField(required=False, max_length=50)
    assignee = forms.ModelChoiceField(queryset=assignable_agents(), required=False, empty_label="Anyone")
    q = forms.CharField(required=False, max_length=200, label="Search")
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [ANY, *kinds().items()]

    def filters(self) -> ConversationFilters:
        data = self.cleaned_data
        status = data["status"] or "active"
        return ConversationFilters(
            view=data["view"] or "all", status="" if status == "any" else status, inbox_kind=data["kind"],
            priority=data["priority"], tag=data["tag"].strip(), text=data["q"].strip(),
            assignee_id=data["assignee"].pk if data["assignee"] else None,
        )


class ReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Write a reply…"}),
                           error_messages={"required": "Write something before sending."})
    status = forms.ChoiceField(required=False, label="Submit as", choices=[("", "Keep status"), *Status.choices])


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Internal note — @name to mention"}),
                           error_messages={"required": "Write something before adding a note."})


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=assignable_agents(), required=False, empty_label="Nobody")
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="No team")


class StatusForm(forms.Form):
    """A built-in status, or "custom-<id>" for a team's own status."""

    status = forms.ChoiceField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        custom = [(f"custom-{c.pk}", f"{c.name} ({c.get_category_display()})") for c in CustomStatus.objects.all()]
        self.fields["status"].choices = [*Status.choices, *custom]

    def service_arguments(self) -> dict:
        value = self.cleaned_data["status"]
        if value.startswith("custom-"):
            return {"custom_status": CustomStatus.objects.get(pk=int(value.removeprefix("custom-")))}
        return {"status": value}


class FieldsForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)
    type = forms.ChoiceField(choices=ConversationType.choices)


class TagsForm(forms.Form):
    tags = forms.CharField(required=False, max_length=1000, help_text="Comma separated")

    def tag_names(self) -> list[str]:
        return [name for name in self.cleaned_data["tags"].split(",") if name.strip()]


class EscalateForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="Keep team")

    def __init__(self, *args, **kwargs):
        # Shown beside the assign form, which has a "team" field too; ids must stay unique.
        kwargs.setdefault("auto_id", "escalate_%s")
        super().__init__(*args, **kwargs)


class OtherConversationForm(forms.Form):
    """Another conversation named by its number ("1234" or "#1234"), for merge and link."""

    number = forms.CharField(max_length=20, error_messages={"required": "Enter a conversation number."})

    def clean_number(self) -> Conversation:
        raw = self.cleaned_data["number"].strip().lstrip("#")
        if not raw.isdigit():
            raise forms.ValidationError("A conversation number is digits only, like 1234.")
        other = Conversation.objects.filter(pk=int(raw)).first()
        if other is None:
            raise forms.ValidationError(f"There is no conversation #{raw}.")
        return other
