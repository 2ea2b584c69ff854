"""The dashboard's date range and filters, shared by every report, drill-down and export."""
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import Team, User
from parley.analytics.kpis import Scope
from parley.channels.models import Inbox
from parley.channels.registry import kinds

MAX_DAYS = 366


class ScopeForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    inbox = forms.ModelChoiceField(queryset=Inbox.objects.all(), required=False, empty_label=_("All inboxes"))
    channel = forms.ChoiceField(required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label=_("All teams"))
    agent = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False, empty_label=_("All agents"))
    tag = forms.CharField(required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All channels")), *kinds().items()]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        if start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(max)s days.") % {"max": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(start=data["start"], end=data["end"], inbox_id=data["inbox"].pk if data["inbox"] else None,
                     channel=data["channel"], team_id=data["team"].pk if data["team"] else None,
                     agent_id=data["agent"].pk if data["agent"] else None, tag=data["tag"].strip().lower())
