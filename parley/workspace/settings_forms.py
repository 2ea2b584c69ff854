"""Forms of the Settings screens: they parse what an admin submits into service arguments."""
import zoneinfo

from django import forms

from parley.accounts.models import Role, Team, User
from parley.conversations.models import FieldKind, Status
from parley.desk.models import NotificationPreference


class AgentInviteForm(forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT)
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)


class AgentForm(forms.Form):
    """An agent's role and teams, as an admin changes them."""

    role = forms.ChoiceField(choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    members = forms.ModelMultipleChoiceField(queryset=User.objects.filter(is_active=True), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class TagForm(forms.Form):
    name = forms.CharField(max_length=50)
    archived = forms.BooleanField(required=False)


class CustomStatusForm(forms.Form):
    name = forms.CharField(max_length=60)
    category = forms.ChoiceField(choices=Status.choices, label="Counts as",
                                 help_text="The built-in status lists, reports and automations treat it as.")
    archived = forms.BooleanField(required=False)


class ChoicesField(forms.CharField):
    """One choice per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class CustomFieldForm(forms.Form):
    label = forms.CharField(max_length=80)
    key = forms.CharField(max_length=50, help_text="How the API and automations name it: lower-case letters, digits, _.")
    kind = forms.ChoiceField(choices=FieldKind.choices, label="Type")
    choices = ChoicesField(required=False, help_text="For a choice field: one per line.")
    required_to_solve = forms.BooleanField(required=False, label="Required to solve")
    archived = forms.BooleanField(required=False)


class MoveForm(forms.Form):
    step = forms.TypedChoiceField(choices=[("-1", "up"), ("1", "down")], coerce=int)


def _time_zones():
    return [("", "The server's default"), *((name, name) for name in sorted(zoneinfo.available_timezones()))]


class CompanyForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, help_text="Shown in the help center and customer mail.")
    color = forms.CharField(max_length=7, required=False, label="Colour", widget=forms.TextInput(attrs={"type": "color"}),
                            help_text="The help center's accent colour.")
    default_sender = forms.EmailField(required=False, help_text="The From address of sign-in links, invitations and web-form replies.")
    time_zone = forms.ChoiceField(choices=_time_zones, required=False, help_text="Times in the workspace and help center.")
    logo = forms.FileField(required=False, help_text="PNG, JPEG, GIF or WebP, at most 512 KB.")
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["assignment", "customer_message", "mention", "browser", "sound"]
        labels = {"assignment": "A conversation is assigned to me", "customer_message": "A customer writes on my conversation",
                  "mention": "Someone mentions me in a note", "browser": "Also as a browser notification",
                  "sound": "Also with a sound"}
