"""Identities as addresses: a phone number in any spelling is one customer, found by agents in any spelling."""
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from parley.channels.base import InboundMessage
from parley.channels.services import inbox_create
from parley.contacts.models import Contact, ContactIdentity
from parley.contacts.services import contact_create, contact_resolve_identity
from parley.conversations.services import message_receive
from parley.core.errors import ValidationFailed


@pytest.fixture(autouse=True)
def german_region(settings):
    settings.PARLEY_PHONE_REGION = "DE"


@pytest.fixture
def inboxes(db):
    return {name: inbox_create(name=name, kind="api") for name in ("SMS", "WhatsApp", "Voice")}


def arrive(inbox, text: str, *, kind: str, source_id: str, network: str = "", n=iter(range(1, 1000))):
    return message_receive(inbox=inbox, inbound=InboundMessage(external_id=f"m-{next(n)}", identity_kind=kind,
                                                               identity_network=network, source_id=source_id, text=text))


def test_one_number_on_sms_whatsapp_and_voice_is_one_customer_in_e164(inboxes):
    sms = arrive(inboxes["SMS"], "Is my order ready?", kind="phone", source_id="030 1234567")
    whatsapp = arrive(inboxes["WhatsApp"], "Photo of the receipt", kind="whatsapp", source_id="+49 30 1234567")
    voice = arrive(inboxes["Voice"], "Voicemail: please call back", kind="phone", source_id="0049301234567")

    contact = sms.conversation.contact
    assert whatsapp.conversation.contact == voice.conversation.contact == contact
    assert contact.phone == "+49301234567"
    assert set(ContactIdentity.objects.values_list("kind", "network", "source_id")) == {("phone", "", "+49301234567")}
    assert ContactIdentity.objects.count() == 3


def test_a_contact_with_that_number_on_file_is_found_by_a_phone_identity(inboxes):
    known = contact_create(name="Petra Pohl", phone="+49 (30) 123-4567")

    assert known.phone == "+49301234567"
    assert contact_resolve_identity(inbox=inboxes["SMS"], kind="phone", source_id="030/1234567") == known


def test_a_handle_lives_on_a_named_network_and_is_distinct_per_network(inboxes):
    telegram = contact_resolve_identity(inbox=inboxes["SMS"], kind="handle", network="telegram", source_id="84211")
    by_old_name = contact_resolve_identity(inbox=inboxes["SMS"], kind="telegram", source_id="84211")
    on_x = contact_resolve_identity(inbox=inboxes["SMS"], kind="handle", network="x", source_id="84211")

    assert by_old_name == telegram and on_x != telegram
    assert set(ContactIdentity.objects.values_list("kind", "network")) == {("handle", "telegram"), ("handle", "x")}
    with pytest.raises(ValidationFailed) as refused:
        contact_resolve_identity(inbox=inboxes["SMS"], kind="handle", source_id="84211")
    assert "network" in refused.value.extra


@pytest.mark.parametrize(("region", "typed"), [("DE", "+49 30 1234567"), ("DE", "030 1234567"), ("DE", "0049 30 1234567"),
                                               ("US", "(202) 555-0143"), ("US", "+1 202-555-0143")])
def test_agents_find_a_customer_by_phone_number_in_any_common_spelling(settings, client, api_as, agent, inboxes, region, typed):
    settings.PARLEY_PHONE_REGION = region
    number = "+49301234567" if region == "DE" else "+12025550143"
    message = arrive(inboxes["SMS"], "Is my order ready?", kind="phone", source_id=number)
    Contact.objects.filter(pk=message.conversation.contact_id).update(name="Petra Pohl")
    arrive(inboxes["SMS"], "Another customer", kind="phone", source_id="+4989123456")
    client.force_login(agent)

    api = api_as(agent).get("/contacts", search=typed).json()["items"]
    directory = client.get(reverse("workspace:customers"), {"q": typed}).content.decode()
    conversations = client.get(reverse("workspace:home"), {"q": typed}).content.decode()

    assert [c["name"] for c in api] == ["Petra Pohl"]
    assert re.findall(r'class="customer">([^<]+)</a>', directory) == ["Petra Pohl"]
    assert [int(n) for n in re.findall(r'<span class="number">#(\d+)</span>', conversations)] == [message.conversation_id]


def test_the_api_channel_takes_the_new_kinds_and_the_old_names(api_as, agent, inboxes, on_commit):
    api = api_as(agent)
    inbox = inboxes["WhatsApp"]

    with on_commit():
        old = api.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"source_id": "+49 30 1234567", "kind": "whatsapp"},
                                                          "text": "Hi", "idempotency_key": "k1"})
        new = api.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"source_id": "030 1234567", "kind": "phone"},
                                                          "text": "Me again", "idempotency_key": "k2"})
        handle = api.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"source_id": "@rita", "kind": "handle", "network": "instagram"},
                                                             "text": "DM", "idempotency_key": "k3"})
    refused = api.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"source_id": "@rita", "kind": "handle"},
                                                          "text": "DM", "idempotency_key": "k4"})
    unknown = api.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"source_id": "@rita", "kind": "pigeon"},
                                                          "text": "DM", "idempotency_key": "k5"})

    assert [r.status_code for r in (old, new, handle)] == [202, 202, 202], [r.json() for r in (old, new, handle)]
    assert old.json()["conversation_id"] == new.json()["conversation_id"]
    assert set(ContactIdentity.objects.values_list("kind", "network", "source_id")) == {
        ("phone", "", "+49301234567"), ("handle", "instagram", "@rita")}
    assert refused.status_code == 422 and "network" in str(refused.json())
    assert unknown.status_code == 422


def test_the_migration_turns_channel_named_kinds_into_address_kinds(inboxes):
    contact = contact_create(name="Old Row")
    rows = [ContactIdentity.objects.create(contact=contact, inbox=inboxes["WhatsApp"], kind=kind, source_id=source_id)
            for kind, source_id in [("whatsapp", "+49 30 1234567"), ("telegram", "84211"), ("chat_visitor", "v-1"),
                                    ("phone", "030-1234567")]]
    Contact.objects.filter(pk=contact.pk).update(phone="030 1234567")

    importlib.import_module("parley.contacts.migrations.0003_identity_kinds_describe_addresses").forward(apps, None)

    assert set(ContactIdentity.objects.values_list("kind", "network", "source_id")) == {
        ("phone", "", "+49301234567"), ("handle", "telegram", "84211"), ("handle", "chat", "v-1")}
    assert ContactIdentity.objects.get(pk=rows[0].pk).contact == contact
    assert Contact.objects.get(pk=contact.pk).phone == "+49301234567"
