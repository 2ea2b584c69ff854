from django import forms
from django.utils.translation import gettext_lazy as _

from parley.knowledge import locales


class BotSettingsForm(forms.Form):
    enabled = forms.BooleanField(required=False, label=_("The bot answers on this inbox"))
    threshold = forms.FloatField(min_value=0, max_value=1, help_text=_("0–1: how sure the bot must be to answer; below it, a person takes over"))
    handover_phrases = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                       help_text=_("Comma separated, in every language your customers write: asking for these hands over"))
    max_unhelpful = forms.IntegerField(min_value=1, max_value=10, label=_("Hand over after this many unhelpful answers"))
    locale = forms.ChoiceField(choices=list(locales.LANGUAGE_NAMES.items()), label=_("Answer from articles in"))
