"""Template helpers for the workspace: short relative times, initials, safe customer HTML, linked notes, badges,
availability."""
import re

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

from parley.accounts.models import Availability
from parley.accounts.permissions import can
from parley.accounts.selectors import agent_is_invited, mention_handles
from parley.desk.selectors import notification_preferences, saved_views
from parley.contacts.selectors import email_address_status as address_status
from parley.conversations import selectors
from parley.conversations.services.outbound import MENTION
from parley.core.phones import phone_display
from parley.core.html import has_remote_images, sanitize_html
from parley.core.selectors import dead_job_count
from parley.workspace.forms import VIEW_LABELS

register = template.Library()

#: Each unit's "N … ago", shortest form first in every language (the list rows are narrow).
_UNITS = ((86400 * 365, gettext_noop("%(count)s y ago")), (86400 * 30, gettext_noop("%(count)s mo ago")),
          (86400 * 7, gettext_noop("%(count)s w ago")), (86400, gettext_noop("%(count)s d ago")),
          (3600, gettext_noop("%(count)s h ago")), (60, gettext_noop("%(count)s min ago")))


@register.simple_tag
def failed_job_count() -> int:
    """Return how many jobs wait in the dead letter (shown to admins next to "Failed jobs")."""
    return dead_job_count()


@register.simple_tag
def email_address_status(address: str):
    """Return whether mail to `address` reaches the customer (state ok, complained or undeliverable, and why)."""
    return address_status(address=address)


@register.filter
def ago(moment) -> str:
    """Render a past moment compactly: "just now", "5 min ago", "3 h ago", "2 d ago"."""
    if not moment:
        return ""
    seconds = int((timezone.now() - moment).total_seconds())
    for size, phrase in _UNITS:
        if seconds >= size:
            return gettext(phrase) % {"count": seconds // size}
    return gettext("just now")


@register.filter
def sidebar_count(count) -> str:
    """A sidebar count as shown: the number, or "999+" past the cap."""
    return f"{selectors.COUNT_CAP}+" if count is not None and count > selectors.COUNT_CAP else str(count)


@register.filter
def initials(name) -> str:
    """Return up to two initials of a person's name for an avatar."""
    parts = str(name or "?").split()
    return "".join(part[0] for part in parts[:2]).upper() or "?"


@register.filter
def customer_html(html: str, show_remote_images=False) -> str:
    """Mark stored customer HTML safe only after sanitizing it once more; remote images only when asked for.

    It was sanitized when stored; doing it again here means a row written by any other
    path (an import, a fix in the shell) still cannot run script in an agent's browser.
    A remote image tells its sender the agent's address and when the mail was read.
    """
    return mark_safe(sanitize_html(html, remote_images=bool(show_remote_images)))  # noqa: S308 (sanitized here)


#: "#123" (a conversation; not an anchor inside a link or an HTML entity) or an @mention.
_NOTE_REFERENCE = re.compile(r"(?<![\w&/#])#(?P<number>\d+)\b|(?<![\w])" + MENTION.pattern.replace("(", "(?P<handle>", 1))


@register.filter
def note_html(message) -> str:
    """A note's text as paragraphs with "#123" linked to that conversation and each agent it mentions linked to
    the conversations assigned to them."""
    agents = {handle: agent for agent in message.mentions.all() for handle in mention_handles(agent)}
    pieces, done = [], 0
    for match in _NOTE_REFERENCE.finditer(message.text):
        pieces.append(escape(message.text[done:match.start()]))
        done = match.end()
        if match["number"]:
            pieces.append(format_html('<a href="{}">{}</a>', reverse("workspace:conversation", args=[match["number"]]), match[0]))
            continue
        agent = agents.get(match["handle"].lower().rstrip("."))
        pieces.append(format_html('<a class="mention" href="{}?view=all&amp;assignee={}" title="{}">{}</a>',
                                  reverse("workspace:home"), agent.pk, agent, match[0]) if agent else escape(match[0]))
    pieces.append(escape(message.text[done:]))
    return mark_safe(linebreaks("".join(pieces)))


@register.filter
def remote_images(message) -> bool:
    """Tell whether any of the message's HTML (body, quote, signature) loads images from elsewhere."""
    meta = message.metadata or {}
    return any(has_remote_images(part) for part in (message.html, meta.get("quoted_html"), meta.get("signature_html")))


@register.filter
def phone(number: str) -> str:
    """Show a stored (E.164) phone number grouped the way its country writes it."""
    return phone_display(number)


@register.simple_tag
def may(user, action: str) -> bool:
    """`{% may user "inbox.manage" as allowed %}`: whether the user's role allows the action (to show what they can use)."""
    return can(user, action)


@register.simple_tag
def agent_state(agent) -> str:
    """`{% agent_state agent as state %}`: "deactivated", "invited" (no password set yet) or "active"."""
    if not agent.is_active:
        return "deactivated"
    return "invited" if agent_is_invited(agent) else "active"


@register.simple_tag
def notification_alerts(user) -> str:
    """The body attributes that tell the page to alert the agent by browser notification and/or sound, and the words of
    a notification without text of its own."""
    if not getattr(user, "is_authenticated", False):
        return ""
    preferences = notification_preferences(agent=user)
    return format_html('data-notify-browser="{}" data-notify-sound="{}" data-mentioned-text="{}"', int(preferences.browser),
                       int(preferences.sound), gettext("You were mentioned on #{number}"))


@register.simple_tag
def unread_notifications(user) -> int:
    """Return how many notifications `user` has not read (the badge number)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return selectors.unread_notification_count(user=user)


@register.inclusion_tag("workspace/_view_counts.html", takes_context=True)
def view_counts(context, current_view: str = "", oob: bool = False) -> dict:
    """Render the sidebar's standard views with how many active conversations each holds."""
    counts = selectors.view_counts(user=context["user"])
    return {"views": [(key, label, counts[key]) for key, label in VIEW_LABELS.items()], "current_view": current_view, "oob": oob}


@register.inclusion_tag("workspace/_saved_views.html", takes_context=True)
def saved_view_list(context) -> dict:
    """Render the sidebar's saved views (the agent's and the shared ones), each with how many conversations it holds."""
    from django.http import QueryDict

    from parley.workspace.forms import ConversationListForm

    user, request = context["user"], context.get("request")
    rows = []
    for view in saved_views(agent=user):
        form = ConversationListForm(QueryDict(view.query))
        count = selectors.capped_count(selectors.conversation_list(user=user, filters=form.filters())) if form.is_valid() else None
        rows.append((view, count))
    current = request.GET.get("saved", "") if request else ""
    return {"rows": rows, "current": current}


@register.inclusion_tag("workspace/_availability.html", takes_context=True)
def availability_control(context) -> dict:
    """Render the header control where the agent says whether they are online, away or offline."""
    request = context["request"]
    return {"user": context["user"], "choices": Availability.choices, "csrf_token": context.get("csrf_token"),
            "next": request.get_full_path(), "error": ""}
