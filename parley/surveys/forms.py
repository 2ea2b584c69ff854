"""Forms of the survey settings screen and the customer's answer page."""
from django import forms
from django.utils.translation import gettext_lazy as _

from parley.contacts.models import Segment
from parley.surveys.models import SurveySettings


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = SurveySettings
        fields = ["csat_enabled", "csat_question", "throttle_days", "ces_enabled", "ces_trigger", "ces_question"]
        labels = {
            "csat_enabled": _("Ask for a CSAT rating when a conversation is solved"),
            "csat_question": _("CSAT question"),
            "throttle_days": _("Ask one customer at most once every … days (0: no limit)"),
            "ces_enabled": _("Ask a CES question after a flow"),
            "ces_trigger": _("CES flow"),
            "ces_question": _("CES question"),
        }


class NpsCampaignForm(forms.Form):
    name = forms.CharField(max_length=100)
    segment = forms.ModelChoiceField(queryset=Segment.objects.all(), required=False, empty_label=_("Every customer"))
    question = forms.CharField(max_length=200, required=False, help_text=_("Leave empty for the standard NPS question."))
    every_days = forms.IntegerField(min_value=1, max_value=3650, initial=90, label=_("Every … days"))
    first_run_at = forms.DateTimeField(required=False, label=_("First run (empty: now)"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class AnswerForm(forms.Form):
    score = forms.IntegerField()
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
