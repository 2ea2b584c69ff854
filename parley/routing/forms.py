"""Forms of the routing settings screens: calendars, holidays, policies, skills, agents' capacity."""
from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from parley.channels.registry import kinds
from parley.routing.hours import WEEKDAYS, format_clock, parse_clock
from parley.routing.models import BusinessCalendar, Skill, Strategy

DAY_LABELS = dict(zip(WEEKDAYS, (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
                                 _("Sunday"))))


def _ranges_text(ranges: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in ranges)


class CalendarForm(forms.Form):
    """A calendar's name, time zone and opening hours, one line per weekday ("09:00-12:30, 13:30-17:00")."""

    name = forms.CharField(max_length=100)
    time_zone = forms.ChoiceField(choices=[(z, z) for z in sorted(available_timezones())], initial="UTC")

    def __init__(self, *args, calendar: BusinessCalendar | None = None, **kwargs):
        if calendar is not None:
            kwargs.setdefault("initial", {"name": calendar.name, "time_zone": calendar.time_zone,
                                          **{day: _ranges_text(calendar.hours.get(day, [])) for day in WEEKDAYS}})
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[day] = forms.CharField(label=DAY_LABELS[day], required=False, max_length=200,
                                               help_text=_("Closed when empty.") if day == "sun" else "")

    def clean(self):
        data = super().clean()
        hours = {}
        for day in WEEKDAYS:
            ranges = []
            for part in filter(None, (p.strip() for p in data.get(day, "").split(","))):
                start, sep, end = part.partition("-")
                try:
                    if not sep:
                        raise ValueError
                    ranges.append([format_clock(parse_clock(start)), format_clock(parse_clock(end))])
                except ValueError:
                    self.add_error(day, _("“%(part)s” is not a range like 09:00-17:00.") % {"part": part})
            if ranges:
                hours[day] = ranges
        data["hours"] = hours
        return data


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(max_length=100, required=False)
    yearly = forms.BooleanField(required=False, label=_("Every year"))


class PolicyForm(forms.Form):
    strategy = forms.ChoiceField(choices=Strategy.choices)
    calendar = forms.ModelChoiceField(queryset=BusinessCalendar.objects.all(), required=False, empty_label=_("Any time"),
                                      label=_("Business hours"))
    idle_reassign_minutes = forms.IntegerField(required=False, min_value=1, label=_("Reassign after (minutes without reply)"))


class SkillForm(forms.Form):
    name = forms.CharField(max_length=50, label=_("New skill"))


class AgentRoutingForm(forms.Form):
    """Skills, and open conversations at once per channel (empty: the default)."""

    skills = forms.ModelMultipleChoiceField(queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple)
    default_capacity = forms.IntegerField(min_value=0, max_value=500, label=_("Default capacity per channel"))

    def __init__(self, *args, profile=None, **kwargs):
        if profile is not None:
            kwargs.setdefault("initial", {"skills": list(profile.skills.all()), "default_capacity": profile.default_capacity,
                                          **{f"capacity_{k}": v for k, v in profile.capacity.items()}})
        super().__init__(*args, **kwargs)
        for kind, label in kinds().items():
            self.fields[f"capacity_{kind}"] = forms.IntegerField(min_value=0, max_value=500, required=False,
                                                                 label=_("%(channel)s capacity") % {"channel": label})

    def capacity(self) -> dict[str, int]:
        return {kind: self.cleaned_data[f"capacity_{kind}"] for kind in kinds()
                if self.cleaned_data.get(f"capacity_{kind}") is not None}
