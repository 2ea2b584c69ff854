from django import forms
from django.utils.translation import gettext_lazy as _

from parley.community.services import MAX_BODY_CHARS, MAX_TITLE_CHARS


class QuestionForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE_CHARS)
    body = forms.CharField(label=_("Details"), max_length=MAX_BODY_CHARS, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("Markdown works: **bold**, lists, links."))


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), max_length=MAX_BODY_CHARS, widget=forms.Textarea(attrs={"rows": 5}))
