"""Forms of the Settings screens: they parse what an admin submits into service arguments."""
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import Role, Team, User
from parley.accounts.services import AWAY_AFTER_MINUTES_MAX
from parley.accounts.sso import MAX_LENGTHS, SIGN_ALGORITHMS
from parley.conversations.models import FieldKind, Status
from parley.desk.models import NotificationPreference


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
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class TagForm(forms.Form):
    name = forms.CharField(max_length=50)
    archived = forms.BooleanField(required=False)


class CustomStatusForm(forms.Form):
    name = forms.CharField(max_length=60)
    category = forms.ChoiceField(choices=Status.choices, label=_("Counts as"),
                                 help_text=_("The built-in status lists, reports and automations treat it as."))
    archived = forms.BooleanField(required=False)


class ChoicesField(forms.CharField):
    """One choice per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class CustomFieldForm(forms.Form):
    label = forms.CharField(max_length=80)
    key = forms.CharField(max_length=50, help_text=_("How the API and automations name it: lower-case letters, digits, _."))
    kind = forms.ChoiceField(choices=FieldKind.choices, label=_("Type"))
    choices = ChoicesField(required=False, help_text=_("For a choice field: one per line."))
    required_to_solve = forms.BooleanField(required=False, label=_("Required to solve"))
    archived = forms.BooleanField(required=False)


class MoveForm(forms.Form):
    step = forms.TypedChoiceField(choices=[("-1", "up"), ("1", "down")], coerce=int)


def _time_zones():
    return [("", _("The server's default")), *((name, name) for name in sorted(zoneinfo.available_timezones()))]


class CompanyForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, help_text=_("Shown in the help center and customer mail."))
    color = forms.CharField(max_length=7, required=False, label=_("Colour"), widget=forms.TextInput(attrs={"type": "color"}),
                            help_text=_("The help center's accent colour."))
    default_sender = forms.EmailField(required=False, help_text=_("The From address of sign-in links, invitations and web-form replies."))
    time_zone = forms.ChoiceField(choices=_time_zones, required=False, help_text=_("Times in the workspace and help center."))
    languages = forms.MultipleChoiceField(
        choices=settings.LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple, label=_("Languages offered"),
        help_text=_("The help center, the contact form and mail to customers speak these; a customer whose browser asks "
                    "for none of them gets the first. None ticked: every language, English first. Agents choose their "
                    "own on their profile."))
    default_language = forms.ChoiceField(choices=settings.LANGUAGES, required=False, label=_("Customers' default language"),
                                         help_text=_("One of the languages offered."))

    def clean(self):
        data = super().clean()
        ticked = data.get("languages") or []
        # Kept as one list in the order Parley lists its languages, the default first.
        offered = [code for code, _name in settings.LANGUAGES if code in ticked or not ticked]
        default = data.get("default_language") or (settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in offered else offered[0])
        if default not in offered:
            self.add_error("default_language", _("Offer the default language too, or choose one of those offered."))
        data["languages"] = [default, *(code for code in offered if code != default)]
        return data
    logo = forms.FileField(required=False, help_text=_("PNG, JPEG, GIF or WebP, at most 512 KB."))
    remove_logo = forms.BooleanField(required=False, label=_("Remove the logo"))


class AvailabilityRulesForm(forms.Form):
    away_after_minutes = forms.IntegerField(
        min_value=0, max_value=AWAY_AFTER_MINUTES_MAX, label=_("Away after this many idle minutes"),
        help_text=_("An online agent who neither types, clicks nor scrolls in any workspace tab for this long becomes away, "
                    "and is online again at their next move. 0: never."))
    offline_when_tabs_closed = forms.BooleanField(
        required=False, label=_("Offline when the last tab closes"),
        help_text=_("Closing every workspace tab signs the agent off, so nothing is routed to them."))


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["assignment", "customer_message", "mention", "browser", "sound"]
        labels = {"assignment": _("A conversation is assigned to me"), "customer_message": _("A customer writes on my conversation"),
                  "mention": _("Someone mentions me in a note"), "browser": _("Also as a browser notification"),
                  "sound": _("Also with a sound")}


class SecurityPolicyForm(forms.Form):
    two_factor_roles = forms.MultipleChoiceField(
        required=False, choices=Role.choices, widget=forms.CheckboxSelectMultiple, label=_("Require two-factor sign-in of"),
        help_text=_("Agents of these roles without an authenticator are asked to add one before they can work."))
    session_hours = forms.IntegerField(required=False, min_value=1, label=_("Session lifetime (hours)"),
                                       help_text=_("How long a sign-in lasts; empty keeps the server's default."))
    team_scoping = forms.BooleanField(required=False, label=_("Agents see only their teams' conversations"),
                                      help_text=_("Agents and light agents see the conversations of their teams and those "
                                                  "assigned to them; admins and supervisors see everything."))


def _endpoint_field(label):
    # The endpoints are checked by sso_config_update (https, required while on), which names the field it refuses.
    return forms.CharField(required=False, max_length=MAX_LENGTHS["token_endpoint"], label=label,
                           widget=forms.URLInput(attrs={"placeholder": "https://", "spellcheck": "false"}))


class SingleSignOnForm(forms.Form):
    enabled = forms.BooleanField(required=False, label=_("Agents may sign in with single sign-on"))
    provider_name = forms.CharField(required=False, max_length=MAX_LENGTHS["provider_name"], label=_("Provider name"),
                                    help_text=_("The login page shows “Sign in with” this name."))
    client_id = forms.CharField(required=False, max_length=MAX_LENGTHS["client_id"], label=_("Client ID"))
    client_secret = forms.CharField(
        required=False, max_length=MAX_LENGTHS["client_secret"], label=_("Client secret"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown again once saved; leave empty to keep the secret in use."))
    authorization_endpoint = _endpoint_field(_("Authorization endpoint"))
    token_endpoint = _endpoint_field(_("Token endpoint"))
    userinfo_endpoint = _endpoint_field(_("Userinfo endpoint"))
    jwks_endpoint = _endpoint_field(_("JWKS endpoint"))
    sign_algo = forms.ChoiceField(choices=[(name, name) for name in SIGN_ALGORITHMS], initial="RS256",
                                  label=_("ID token signing algorithm"))


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(max_length=20, label=_("Code"), widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}))


class AuditFilterForm(forms.Form):
    """The audit log's filters, all from the query string."""

    actor = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("Anyone"), label=_("Who"))
    action = forms.CharField(required=False, max_length=64, label=_("Did"),
                             help_text=_("e.g. agent.role_changed, or agent. for every agent change"))
    target_type = forms.ChoiceField(required=False, label=_("Of"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, actors, target_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors
        self.fields["target_type"].choices = [("", _("Anything")), *target_types]
