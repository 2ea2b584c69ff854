"""Forms of the automation settings screens: they parse input; the services decide what is valid."""
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from parley.automation.services.webhooks import ALL_EVENTS
from parley.conversations.models import Conversation
from parley.core.events import EVENTS


class DefinitionField(forms.CharField):
    """A JSON object typed into a text area (shown back pretty-printed)."""

    widget = forms.Textarea(attrs={"rows": 16, "class": "code", "spellcheck": "false"})

    def prepare_value(self, value):
        return json.dumps(value, indent=2) if isinstance(value, (dict, list)) else value

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return json.loads(value) if value else {}
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("This is not JSON: %(problem)s at line %(line)s, column %(column)s.")
                                        % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno}) from None


class RuleForm(forms.Form):
    name = forms.CharField(max_length=120)
    definition = DefinitionField(label=_("Definition (JSON)"))
    position = forms.IntegerField(min_value=0, initial=100, help_text=_("Lower runs first."))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))


class PreviewForm(forms.Form):
    number = forms.IntegerField(label=_("Conversation number"), min_value=1)
    definition = DefinitionField(label=_("Definition (JSON)"))

    def clean_number(self):
        conversation = Conversation.objects.filter(pk=self.cleaned_data["number"]).first()
        if conversation is None:
            raise forms.ValidationError(_("There is no conversation with this number."))
        return conversation


class CannedResponseForm(forms.Form):
    shortcut = forms.CharField(max_length=41, help_text=_("Type / and this in the reply box to insert the response."))
    title = forms.CharField(max_length=120)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))


class MacroForm(forms.Form):
    name = forms.CharField(max_length=120)
    reply = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("Reply (optional)"))
    actions = DefinitionField(label=_("Actions (JSON list)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 8, "class": "code", "spellcheck": "false"}))

    def clean_actions(self):
        actions = self.cleaned_data["actions"]
        return actions if actions != {} else []

    def definition(self) -> dict:
        return {"actions": self.cleaned_data["actions"], "reply": self.cleaned_data["reply"]}


def _event_choices():
    return [(ALL_EVENTS, _("Every event")), *((name, name) for name in EVENTS)]


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=120)
    url = forms.CharField(max_length=500, label=_("URL"))
    events = forms.MultipleChoiceField(choices=_event_choices, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))
    allow_private = forms.BooleanField(required=False, label=_("Allow private, loopback and link-local addresses"),
                                       help_text=_("Only for a receiver inside your own network."))
