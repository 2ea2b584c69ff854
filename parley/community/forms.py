from django import forms

from parley.community.services import MAX_BODY_CHARS, MAX_TITLE_CHARS


class QuestionForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE_CHARS)
    body = forms.CharField(label="Details", max_length=MAX_BODY_CHARS, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="Markdown works: **bold**, lists, links.")


class AnswerForm(forms.Form):
    body = forms.CharField(label="Your answer", max_length=MAX_BODY_CHARS, widget=forms.Textarea(attrs={"rows": 5}))
