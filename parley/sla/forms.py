"""Forms of the SLA settings screens: policies and escalation paths."""
from django import forms
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import Team
from parley.channels.models import Inbox
from parley.channels.registry import kinds
from parley.contacts.models import Organization
from parley.conversations.models import Priority
from parley.routing.models import BusinessCalendar
from parley.sla.models import SlaPolicy


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class SlaPolicyForm(forms.Form):
    name = forms.CharField(max_length=100)
    position = forms.IntegerField(min_value=0, initial=0, help_text=_("Policies are tried in this order; the first that matches applies."))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))
    inboxes = forms.ModelMultipleChoiceField(queryset=Inbox.objects.all(), required=False, widget=forms.CheckboxSelectMultiple)
    channel_kinds = forms.MultipleChoiceField(required=False, label=_("Channels"), widget=forms.CheckboxSelectMultiple)
    priorities = forms.MultipleChoiceField(choices=Priority.choices, required=False, widget=forms.CheckboxSelectMultiple)
    tags = forms.CharField(required=False, max_length=500, help_text=_("Any of these tags, comma-separated."))
    organizations = forms.ModelMultipleChoiceField(queryset=Organization.objects.all(), required=False)
    calendar = forms.ModelChoiceField(queryset=BusinessCalendar.objects.all(), required=False,
                                      empty_label=_("Calendar hours (every minute counts)"), label=_("Business hours"))
    first_response_minutes = forms.IntegerField(min_value=1, required=False, label=_("First response (minutes)"))
    next_response_minutes = forms.IntegerField(min_value=1, required=False, label=_("Next response (minutes)"))
    resolution_minutes = forms.IntegerField(min_value=1, required=False, label=_("Resolution (minutes)"))
    periodic_update_minutes = forms.IntegerField(min_value=1, required=False, label=_("Periodic update for urgent (minutes)"))
    warn_before_minutes = forms.IntegerField(min_value=0, initial=15, label=_("Warn this many minutes before"))
    escalate_on_breach = forms.BooleanField(required=False, label=_("Escalate to the next tier on breach"))

    def __init__(self, *args, policy: SlaPolicy | None = None, **kwargs):
        if policy is not None:
            initial = {f: getattr(policy, f) for f in (
                "name", "position", "is_active", "channel_kinds", "priorities", "calendar", "first_response_minutes",
                "next_response_minutes", "resolution_minutes", "periodic_update_minutes", "warn_before_minutes",
                "escalate_on_breach")}
            kwargs.setdefault("initial", {**initial, "tags": ", ".join(policy.tags), "inboxes": list(policy.inboxes.all()),
                                          "organizations": list(policy.organizations.all())})
        super().__init__(*args, **kwargs)
        self.fields["channel_kinds"].choices = list(kinds().items())

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = _names(data["tags"])
        return data


class EscalationStepForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), label=_("From team"))
    tier = forms.TypedChoiceField(choices=[(2, "Tier 2"), (3, "Tier 3")], coerce=int)
    handled_by = forms.ModelChoiceField(queryset=Team.objects.all(), label=_("Handled by"))
    required_fields = forms.CharField(required=False, max_length=500, label=_("Required custom fields"),
                                      help_text=_("Comma-separated; each must be filled in before escalating."))
    procedure = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def service_arguments(self) -> dict:
        return {**self.cleaned_data, "required_fields": _names(self.cleaned_data["required_fields"])}
