"""Settings → Bot: turn the bot on per inbox, with its threshold and hand-over phrases."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from parley.bot.forms import BotSettingsForm
from parley.bot.selectors import bot_settings_for
from parley.bot.services import bot_settings_update
from parley.channels import selectors as channel_selectors
from parley.channels.models import Inbox
from parley.core.errors import ApplicationError
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Only admins and supervisors configure the bot.")


@login_required
@require_GET
def bot_inboxes(request):
    allowed(request, "bot.manage", REFUSAL)
    inboxes = [(inbox, bot_settings_for(inbox)) for inbox in channel_selectors.inbox_list()]
    return render(request, "bot/inboxes.html", {"section": "bot", "inboxes": inboxes})


@login_required
@require_http_methods(["GET", "POST"])
def bot_settings(request, inbox_id: int):
    allowed(request, "bot.manage", REFUSAL)
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    current = bot_settings_for(inbox)
    form = BotSettingsForm(request.POST or None, initial={
        "enabled": current.enabled, "threshold": current.threshold, "handover_phrases": current.handover_phrases,
        "max_unhelpful": current.max_unhelpful, "locale": current.locale})
    if request.method == "POST" and form.is_valid():
        try:
            bot_settings_update(inbox=inbox, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.info(request, gettext("Bot settings of %(name)s saved.") % {"name": inbox.name})
            return redirect("bot:inboxes")
    return render(request, "bot/settings.html", {"section": "bot", "inbox": inbox, "form": form},
                  status=400 if form.errors else 200)
