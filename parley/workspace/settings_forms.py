"""Forms of the Settings screens for agents and teams: they parse what an admin submits into service arguments."""
from django import forms

from parley.accounts.models import Role, Team, User


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
