"""Settings → Bot: a supervisor turns the bot on for an inbox; the report shows containment."""
from django.urls import reverse

from parley.bot.models import BotSettings


def test_a_supervisor_turns_the_bot_on_with_its_threshold_and_phrases(client, make_agent, api_inbox):
    client.force_login(make_agent("supervisor"))

    listing = client.get(reverse("bot:inboxes")).content.decode()
    response = client.post(reverse("bot:settings", args=[api_inbox.pk]), {
        "enabled": "on", "threshold": "0.5", "handover_phrases": "agent, humano", "max_unhelpful": "3", "locale": "es"})

    assert "Shop app" in listing and response.status_code == 302
    saved = BotSettings.objects.get(inbox=api_inbox)
    assert saved.enabled and saved.threshold == 0.5 and saved.phrases() == ["agent", "humano"] and saved.locale == "es"


def test_a_threshold_out_of_range_is_refused_and_nothing_changes(client, make_agent, api_inbox):
    client.force_login(make_agent("supervisor"))

    response = client.post(reverse("bot:settings", args=[api_inbox.pk]), {
        "enabled": "on", "threshold": "7", "handover_phrases": "agent", "max_unhelpful": "2", "locale": "en"})

    assert response.status_code == 400 and "less than or equal to 1" in response.content.decode()
    assert not BotSettings.objects.exists()


def test_agents_may_not_configure_the_bot(client, agent, api_inbox):
    client.force_login(agent)

    assert client.get(reverse("bot:settings", args=[api_inbox.pk])).status_code == 403


def test_the_report_shows_containment_and_outcomes(client, admin, bot_inbox, customer_says):
    customer_says(bot_inbox, "how do I redeem a gift card", customer="a")
    customer_says(bot_inbox, "yes", customer="a")
    customer_says(bot_inbox, "I need a human", customer="b")
    client.force_login(admin)

    page = client.get(reverse("knowledge:report")).content.decode()

    assert '<span class="kpi-value" id="containment-rate">50%</span>' in page
    assert "1 of 2 conversations answered without a person" in page
    assert "Handed over: asked for a person" in page


def test_settings_without_a_hand_over_phrase_are_refused_in_the_language_of_the_request(make_agent, api_inbox):
    import pytest
    from django.utils import translation

    from parley.bot.services import bot_settings_update
    from parley.core.errors import ValidationFailed

    with translation.override("de"), pytest.raises(ValidationFailed) as refused:
        bot_settings_update(inbox=api_inbox, actor=make_agent("supervisor"), enabled=True, threshold=0.5, handover_phrases=" ",
                            max_unhelpful=3, locale="de")

    assert refused.value.message == "Die Bot-Einstellungen sind ungültig: die Übergabe-Phrasen brauchen mindestens eine Phrase."
    assert refused.value.extra == {"handover_phrases": "at least one phrase"}
