"""Forms of the telephony screens: the IVR node editor, its preview, call notes, an agent's phone line."""
from django import forms
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import Team, User
from parley.channels.voice.flow import NODE_TYPES

TEXT_TYPES = ("say", "menu", "queue", "agent", "voicemail", "callback", "hangup")


class NodeForm(forms.Form):
    """One node of the call menu; which fields matter depends on its type (see voice/flow.py)."""

    id = forms.SlugField(max_length=50, label=_("Id"))
    type = forms.ChoiceField(choices=list(NODE_TYPES.items()))
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("What the caller hears"))
    url = forms.URLField(required=False, max_length=500, assume_scheme="https", label=_("Recording URL"), help_text=_("play: an MP3 or WAV"))
    next = forms.CharField(required=False, max_length=50, label=_("Then go to"), help_text=_("say, play, order status"))
    options = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Choices"),
                              help_text=_("menu: one per line, key = words = next node [= language], e.g. 1 = sales = sales_queue"))
    open_next = forms.CharField(required=False, max_length=50, label=_("When open, go to"))
    closed_next = forms.CharField(required=False, max_length=50, label=_("When closed, go to"))
    field = forms.CharField(required=False, max_length=50, label=_("Contact attribute"), help_text=_("order status: default order_status"))
    team = forms.ModelChoiceField(Team.objects.all(), required=False)
    agent = forms.ModelChoiceField(User.objects.filter(is_active=True), required=False)

    def clean_options(self) -> list[dict]:
        options = []
        for number, line in enumerate(self.cleaned_data["options"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("=")]
            if len(parts) not in (3, 4) or not parts[0] or not parts[2]:
                raise forms.ValidationError(_("line %(number)s: write key = words = next node (= language)") % {"number": number})
            option = {"key": parts[0], "words": parts[1], "next": parts[2]}
            if len(parts) == 4 and parts[3]:
                option["language"] = parts[3]
            options.append(option)
        return options

    def node(self) -> dict:
        data = self.cleaned_data
        node = {"id": data["id"], "type": data["type"]}
        if data["type"] in TEXT_TYPES:
            node["text"] = data["text"]
        if data["type"] in ("say", "play", "order_status"):
            node["next"] = data["next"]
        if data["type"] == "play":
            node["url"] = data["url"]
        if data["type"] == "order_status":
            node["field"] = data["field"] or "order_status"
        if data["type"] == "menu":
            node["options"] = data["options"]
        if data["type"] == "hours":
            node.update(open_next=data["open_next"], closed_next=data["closed_next"])
        if data["type"] == "queue":
            node["team"] = data["team"].pk if data["team"] else None
        if data["type"] == "agent":
            node["agent"] = data["agent"].pk if data["agent"] else None
        return node

    @staticmethod
    def initial_for(node: dict) -> dict:
        options = "\n".join(" = ".join([o.get("key", ""), o.get("words", ""), o.get("next", "")]
                                       + ([o["language"]] if o.get("language") else []))
                             for o in node.get("options", []))
        return {**{key: node.get(key, "") for key in ("id", "type", "text", "url", "next", "open_next", "closed_next", "field")},
                "options": options, "team": node.get("team"), "agent": node.get("agent")}


NodeFormSet = forms.formset_factory(NodeForm, extra=1, can_delete=True)


class FlowStartForm(forms.Form):
    start = forms.SlugField(max_length=50, label=_("Callers start at"))


class PreviewForm(forms.Form):
    inputs = forms.CharField(required=False, label=_("The caller presses or says"), help_text=_("comma-separated, e.g. 2, sales"))
    order_status = forms.CharField(required=False, label=_("Their order status"), help_text=_("as on the contact's attributes"))
    closed = forms.BooleanField(required=False, label=_("Outside business hours"))


class CallNotesForm(forms.Form):
    disposition = forms.CharField(required=False, max_length=60, help_text=_("e.g. resolved, follow-up needed, sale"))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AgentLineForm(forms.Form):
    phone = forms.CharField(required=False, max_length=40, label=_("Phone number"), help_text=_("calls ring here, e.g. +1 415 555 0142"))
    sip = forms.CharField(required=False, max_length=200, label=_("SIP address"), help_text=_("e.g. sip:ana@example.sip.twilio.com"))
