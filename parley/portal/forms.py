import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (the pattern from Django's file-upload docs)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 7}), max_length=50_000)
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    #: Rendered with the form and sent back, so a double-clicked submit stores one request.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    #: A field people never see; bots that fill every input give themselves away.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))


class LoginRequestForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)


class ReplyForm(forms.Form):
    #: Rendered with the form, so a double-clicked send stores one reply.
    submission_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000,
                           error_messages={"required": _("Please write a message.")})
    attachments = MultipleFileField(label=_("Attachments"), required=False)
