"""Screens that arrived with two-factor sign-in, the audit log and the rule builder speak the agent's language, and
so do the refusals services raise."""
import json
import re

import pytest

from parley.accounts.services import agent_update_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_admin(client, admin):
    agent_update_profile(user=admin, name=admin.name, signature="", language="de")
    client.force_login(admin)
    return admin


def test_a_german_admin_sets_up_security_in_german(client, german_admin):
    security = client.get("/settings/security/").content.decode()
    two_factor = client.get("/me/two-factor/").content.decode()
    audit = client.get("/settings/audit/").content.decode()

    assert "Zwei-Faktor-Anmeldung verlangen von" in security and "Light Agent" in security and "Sicherheitseinstellungen speichern" in security
    assert "Zwei-Faktor-Anmeldung einrichten" in two_factor and "Set up two-factor" not in two_factor
    assert "<h1>Audit-Protokoll</h1>" in audit and ">Filtern</button>" in audit


def test_the_rule_builder_gets_its_words_and_vocabulary_in_the_agents_language(client, german_admin):
    page = client.get("/settings/automations/new/trigger/").content.decode()

    def script(element_id):
        return json.loads(re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S).group(1))

    words, vocabulary = script("rule-builder-words"), script("rule-vocabulary")
    assert words["addCondition"] == "Bedingung hinzufügen" and words["unknownField"] == "Das Feld {field} ist unbekannt: " \
        "Korrigieren Sie es unten in der JSON-Ansicht."
    assert vocabulary["ops"]["not_contains"] == "enthält nicht"
    assert {action["label"] for action in vocabulary["actions"]} >= {"Einem Agenten zuweisen", "Webhook aufrufen"}


def test_a_german_admin_is_told_in_german_what_is_wrong_with_the_company_settings(client, german_admin):
    response = client.post("/settings/company/", {"name": "Acme", "color": "blue", "default_sender": "", "time_zone": "",
                                                  "languages": ["en"], "default_language": "en"})

    page = response.content.decode()
    assert response.status_code == 422
    assert "Eine Farbe wird wie #2563eb geschrieben." in page and "A colour is written" not in page


def test_the_scripts_get_their_words_in_the_agents_language(client, german_admin, api_inbox, receive):
    conversation = receive(api_inbox, "Wo bleibt mein Paket?").conversation

    page = client.get(f"/c/{conversation.number}/").content.decode()
    tokens = client.post("/me/tokens/", {"name": "Shop"}).content.decode()

    presence = re.search(r'<div id="presence"[^>]*>', page).group(0)
    assert 'data-viewing-many="{names} und {last} sehen sich das an"' in presence
    assert 'data-typing-one="{name} schreibt eine Antwort…"' in presence and 'data-the-customer="Der Kunde"' in presence
    assert 'data-mentioned-text="Sie wurden in #{number} erwähnt"' in page
    assert 'data-copied="Kopiert">Kopieren</button>' in tokens


def test_a_german_admin_creates_a_tag_in_german(client, german_admin):
    screen = client.get("/settings/tags/").content.decode()
    created = client.post("/settings/tags/", {"name": "Rückgabe"}, follow=True).content.decode()

    assert "<h2>Neues Tag</h2>" in screen and ">Tag anlegen</button>" in screen
    assert "Das Tag „rückgabe“ wurde angelegt." in created
