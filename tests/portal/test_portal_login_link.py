"""Signing in to "My requests" by a one-time emailed link."""
import re
from datetime import timedelta

import pytest
from django.core import mail

from parley.portal.models import PortalLoginToken

# The link is mailed by a job once the request's transaction commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/portal/login/[\w-]+/)", message.body).group(1)


def test_given_a_known_email_then_a_link_is_mailed_and_only_its_hash_is_kept(client, customer_request, settings):
    settings.PARLEY_BASE_URL = "https://help.example.test"
    customer_request("rita@example.test")

    response = client.post("/portal/login/", {"email": "Rita@Example.test"})

    assert "Check your email" in response.content.decode()
    (sent,) = mail.outbox
    assert sent.to == ["rita@example.test"]
    assert "https://help.example.test/portal/login/" in sent.body
    raw = _link_path(sent).rstrip("/").rsplit("/", 1)[1]
    assert not PortalLoginToken.objects.filter(token_hash__contains=raw).exists()
    assert PortalLoginToken.objects.get().email == "rita@example.test"


def test_given_an_unknown_email_then_the_answer_is_the_same_and_no_mail_is_sent(client, customer_request):
    customer_request("rita@example.test")

    known = client.post("/portal/login/", {"email": "rita@example.test"})
    unknown = client.post("/portal/login/", {"email": "nobody@example.test"})

    assert unknown.status_code == known.status_code == 200
    assert unknown.content.decode().replace("nobody@example.test", "X") == known.content.decode().replace("rita@example.test", "X")
    assert [m.to for m in mail.outbox] == [["rita@example.test"]]
    assert not PortalLoginToken.objects.filter(email="nobody@example.test").exists()


def test_when_the_email_is_not_an_address_then_the_field_says_so(client, db):
    response = client.post("/portal/login/", {"email": "rita"})

    assert response.status_code == 400
    assert 'id="email-error"' in response.content.decode()
    assert not mail.outbox


def test_a_link_signs_in_once_and_then_no_more(client, customer_request):
    customer_request("rita@example.test", subject="Parcel")
    client.post("/portal/login/", {"email": "rita@example.test"})
    path = _link_path(mail.outbox[0])

    opened = client.get(path)
    first = client.post(path)
    listing = client.get("/portal/requests/")
    client.post("/portal/logout/")
    second = client.post(path)

    assert opened.status_code == 200 and "Continue" in opened.content.decode()
    assert first.status_code == 302 and first["Location"] == "/portal/requests/"
    assert "Parcel" in listing.content.decode()
    assert second.status_code == 404 and "no longer works" in second.content.decode()
    assert client.get("/portal/requests/").status_code == 302


def _age_links_by(minutes: int) -> None:
    for token in PortalLoginToken.objects.all():
        token.created_at -= timedelta(minutes=minutes)
        token.expires_at -= timedelta(minutes=minutes)
        token.save()


def test_a_link_works_for_thirty_minutes_and_not_after(client, customer_request):
    customer_request("rita@example.test")
    client.post("/portal/login/", {"email": "rita@example.test"})
    path = _link_path(mail.outbox[0])

    _age_links_by(29)
    at_29_minutes = client.get(path)
    _age_links_by(2)
    at_31_minutes = client.post(path)

    assert at_29_minutes.status_code == 200
    assert at_31_minutes.status_code == 404
    assert "no longer works" in at_31_minutes.content.decode()
    assert client.get("/portal/requests/").status_code == 302


def test_a_made_up_link_does_not_sign_in(client, db):
    response = client.post("/portal/login/not-a-real-token/")

    assert response.status_code == 404
    assert client.get("/portal/requests/").status_code == 302


def test_given_a_visitor_sent_to_sign_in_from_a_request_then_the_link_brings_them_back_there(client, customer_request):
    conversation = customer_request("rita@example.test")
    target = f"/portal/requests/{conversation.pk}/"

    bounced = client.get(target)
    client.get(bounced["Location"])
    client.post("/portal/login/", {"email": "rita@example.test"})
    signed_in = client.post(_link_path(mail.outbox[0]))

    assert bounced["Location"] == f"/portal/login/?next={target}"
    assert signed_in["Location"] == target


def test_signing_out_of_the_portal_leaves_an_agent_signed_in(client, customer_request, agent, sign_in):
    customer_request("rita@example.test")
    client.force_login(agent)
    sign_in(client, "rita@example.test")

    client.post("/portal/logout/")

    assert client.get("/portal/requests/").status_code == 302
    assert client.session.get("_auth_user_id") == str(agent.pk)


def test_asking_again_and_again_stops_mailing_after_five_open_links(client, customer_request):
    customer_request("rita@example.test")

    answers = [client.post("/portal/login/", {"email": "rita@example.test"}) for _ in range(7)]

    assert {a.status_code for a in answers} == {200}
    assert len(mail.outbox) == 5


def test_a_customer_whose_browser_asks_for_spanish_is_told_in_spanish_that_the_link_is_no_good(client, db):
    response = client.post("/portal/login/not-a-real-token/", HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 404 and "Este enlace de acceso ha caducado o ya se usó." in response.content.decode()
