"""The telephony screens: webhook URLs on the inbox, the IVR editor and its preview, calls, call-backs, click-to-call, opt-outs."""
import pytest
from twilio_wire import CUSTOMER, acme_flow, call_params, inbound_sms

from parley.channels.voice.models import AgentLine, Call, CallbackRequest, IvrFlow
from parley.channels.voice.services import ivr_flow_save
from parley.conversations.models import Conversation


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def test_the_inbox_screen_shows_the_urls_to_paste_and_links_the_call_menu(as_admin, voice_inbox, sms_inbox, settings):
    voice = as_admin.get(f"/settings/inboxes/{voice_inbox.pk}/").content.decode()
    sms = as_admin.get(f"/settings/inboxes/{sms_inbox.pk}/").content.decode()

    assert f"<code>{settings.PARLEY_BASE_URL}/channels/voice/{voice_inbox.key}/calls/</code>" in voice
    assert f"<code>{settings.PARLEY_BASE_URL}/channels/voice/{voice_inbox.key}/calls/status/</code>" in voice
    assert f"/telephony/inboxes/{voice_inbox.pk}/ivr/" in voice
    assert f"<code>{settings.PARLEY_BASE_URL}/channels/sms/{sms_inbox.key}/messages/</code>" in sms


def _node_post(nodes: list[dict], start: str) -> dict:
    data = {"start": start, "save": "1", "node-TOTAL_FORMS": str(len(nodes) + 1), "node-INITIAL_FORMS": str(len(nodes)),
            "node-MIN_NUM_FORMS": "0", "node-MAX_NUM_FORMS": "1000"}
    for index, node in enumerate(nodes):
        for key, value in node.items():
            data[f"node-{index}-{key}"] = value
    return data


def test_the_ivr_editor_saves_a_tree_from_its_forms_and_the_preview_plays_it(as_admin, voice_inbox, sales):
    url = f"/telephony/inboxes/{voice_inbox.pk}/ivr/"
    response = as_admin.post(url, _node_post([
        {"id": "hello", "type": "play", "url": "https://example.com/hello.mp3", "next": "main"},
        {"id": "main", "type": "menu", "text": "Press 1 for sales.", "options": "1 = sales = sales_queue\n2 = español = es = es-ES"},
        {"id": "sales_queue", "type": "queue", "team": str(sales.pk), "text": "One moment."},
        {"id": "es", "type": "hangup", "text": "Adiós."},
    ], start="hello"))

    assert response.status_code == 302
    flow = IvrFlow.objects.get(inbox=voice_inbox)
    assert flow.nodes[0] == {"id": "hello", "type": "play", "url": "https://example.com/hello.mp3", "next": "main"}
    assert flow.nodes[1]["options"] == [{"key": "1", "words": "sales", "next": "sales_queue"},
                                        {"key": "2", "words": "español", "next": "es", "language": "es-ES"}]
    preview = as_admin.get(url, {"inputs": "7, sales"}).content.decode()
    assert "<li>Parley plays https://example.com/hello.mp3</li>" in preview
    assert "<li>Parley: Press 1 for sales.</li>" in preview
    assert "<li>Caller: 7</li>" in preview and "<li>Parley: Sorry, that is not one of the choices.</li>" in preview
    assert "<li>(waits in the Sales queue; available agents are rung)</li>" in preview


def test_the_ivr_editor_refuses_a_choice_that_leads_nowhere(as_admin, voice_inbox):
    response = as_admin.post(f"/telephony/inboxes/{voice_inbox.pk}/ivr/", _node_post([
        {"id": "main", "type": "menu", "text": "Press 1.", "options": "1 = x = nowhere"}], start="main"))

    assert response.status_code == 422
    assert "main: leads to &#x27;nowhere&#x27;, which is no node" in response.content.decode()
    assert not IvrFlow.objects.exists()


def test_agents_see_call_figures_add_notes_and_work_the_call_back_queue(client, agent, voice_inbox, twilio_post, sales, admin):
    ivr_flow_save(inbox=voice_inbox, start="welcome", nodes=acme_flow(sales.pk), actor=admin)
    path = f"/channels/voice/{voice_inbox.key}/calls/"
    twilio_post(client, path, call_params())
    twilio_post(client, path + "callback/", call_params(SpeechResult="after lunch"))
    client.force_login(agent)

    calls = client.get("/telephony/calls/").content.decode()
    assert "Call-back requested" in calls and '<dd id="stat-calls">1</dd>' in calls
    call = Call.objects.get()
    client.post(f"/telephony/calls/{call.pk}/", {"disposition": "call back tomorrow", "notes": "Wants a discount"})
    call.refresh_from_db()
    assert (call.notes, call.disposition) == ("Wants a discount", "call back tomorrow")

    queue = client.get("/telephony/callbacks/").content.decode()
    assert "after lunch" in queue and CUSTOMER in queue
    request = CallbackRequest.objects.get()
    client.post(f"/telephony/callbacks/{request.pk}/done/")
    assert "Nobody is waiting for a call-back." in client.get("/telephony/callbacks/").content.decode()

    customer = client.get(f"/customers/{call.contact_id}/").content.decode()
    assert "Inbound call · Call-back requested" in customer and "call back tomorrow" in customer


def test_click_to_call_rings_the_agents_line_through_the_calls_api(client, agent, voice_inbox, fake_twilio, twilio_post, settings):
    from parley.contacts.services import contact_resolve_identity
    from parley.conversations.services import conversation_create

    contact = contact_resolve_identity(inbox=voice_inbox, kind="phone", source_id=CUSTOMER)
    conversation = conversation_create(inbox=voice_inbox, contact=contact, subject="Chairs")
    client.force_login(agent)

    refused = client.post(f"/telephony/c/{conversation.pk}/call/", follow=True).content.decode()
    assert "set your phone or SIP address on your profile first" in refused

    client.post("/telephony/me/line/", {"phone": "+1 415 555 0177", "sip": ""})
    assert AgentLine.objects.get(user=agent).phone == "+14155550177"
    client.post(f"/telephony/c/{conversation.pk}/call/")

    [placed] = fake_twilio.created("Calls")
    assert placed["To"] == "+14155550177" and placed["From"] == "+14155550199"
    assert placed["Url"] == f"{settings.PARLEY_BASE_URL}/channels/voice/{voice_inbox.key}/calls/outbound/?conversation={conversation.pk}"
    outbound = Call.objects.get(direction="outbound")
    connect = twilio_post(client, f"/channels/voice/{voice_inbox.key}/calls/outbound/?conversation={conversation.pk}",
                          call_params(outbound.call_sid, caller="+14155550199", to="+14155550177"))
    assert f"<Dial callerId=\"+14155550199\"><Number>{CUSTOMER}</Number></Dial>" in connect.content.decode()
    outbound.refresh_from_db()
    assert outbound.agent == agent and outbound.answered_at is not None


def test_the_composer_says_when_the_customer_opted_out_of_texts(client, agent, sms_inbox, twilio_post):
    twilio_post(client, f"/channels/sms/{sms_inbox.key}/messages/", inbound_sms())
    twilio_post(client, f"/channels/sms/{sms_inbox.key}/messages/", inbound_sms("SM-stop", "STOP"))
    conversation = Conversation.objects.get()
    client.force_login(agent)

    page = client.get(f"/c/{conversation.pk}/").content.decode()
    refused = client.post(f"/c/{conversation.pk}/reply/", {"text": "Still there?", "status": ""})

    assert f"Replies cannot be sent: {CUSTOMER} texted STOP on" in page
    assert "SMS · text only · up to 10 SMS segments" in page
    assert refused.status_code == 409 and "texted STOP" in refused.content.decode()
    assert not conversation.messages.filter(text="Still there?").exists()


def test_an_admin_creates_a_voice_inbox_from_the_settings_form(as_admin, fake_twilio):
    from parley.channels.models import Inbox

    form = as_admin.get("/settings/inboxes/new/voice/").content.decode()
    assert "Hold music URL" in form and "Overflow after (minutes)" in form and "Auth token" in form
    fields = {"name": "Hotline", "config-account_sid": "AC" + "0" * 32, "config-auth_token": "secret-token",
              "config-number": "(415) 555-0199", "config-api_base_url": fake_twilio.base_url, "config-language": "de-DE",
              "config-hold_music_url": "", "config-ring_seconds": "15", "config-overflow_minutes": "2",
              "config-overflow_to": "callback", "config-open_days": "mon\ntue", "config-opens_at": "08:00",
              "config-closes_at": "07:00", "config-time_zone": "Europe/Berlin"}

    no_country = as_admin.post("/settings/inboxes/new/voice/", fields)
    closes_early = as_admin.post("/settings/inboxes/new/voice/", {**fields, "config-number": "+1 415 555 0199"})
    created = as_admin.post("/settings/inboxes/new/voice/", {**fields, "config-number": "+1 415 555 0199",
                                                             "config-closes_at": "18:00"})

    assert no_country.status_code == 422 and "is not a phone number" in no_country.content.decode()
    assert closes_early.status_code == 422 and "must be after the opening time" in closes_early.content.decode()
    assert created.status_code == 302
    inbox = Inbox.objects.get()
    assert inbox.settings["number"] == "+14155550199" and inbox.settings["open_days"] == ["mon", "tue"]
    assert inbox.settings["overflow_to"] == "callback" and inbox.config["auth_token"].startswith("fernet:")


def test_a_german_agent_without_a_phone_line_is_told_in_german_how_to_set_one(client, agent, voice_inbox):
    from parley.accounts.services import agent_update_profile
    from parley.contacts.services import contact_resolve_identity
    from parley.conversations.services import conversation_create

    conversation = conversation_create(inbox=voice_inbox, contact=contact_resolve_identity(
        inbox=voice_inbox, kind="phone", source_id=CUSTOMER), subject="Chairs")
    agent_update_profile(user=agent, name=agent.name, signature="", language="de")
    client.force_login(agent)

    refused = client.post(f"/telephony/c/{conversation.pk}/call/", follow=True).content.decode()

    assert ("Ihre Telefonleitung ist nicht eingerichtet: Tragen Sie zuerst Ihre Telefonnummer oder SIP-Adresse in Ihrem Profil "
            "ein.") in refused
