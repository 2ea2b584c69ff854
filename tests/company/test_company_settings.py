"""Settings → Company: the name, colour, logo, sender and time zone customers and agents then see."""
import base64

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from parley.accounts.services import agent_invite
from parley.company.middleware import CompanyTimeZoneMiddleware

# A 1×1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


@pytest.fixture
def saved(client, admin):
    client.force_login(admin)
    return lambda **fields: client.post("/settings/company/", {
        "name": "Acme Outdoor", "color": "#0f766e", "default_sender": "help@acme.test", "time_zone": "Europe/Berlin",
        **fields})


def test_the_help_center_shows_the_company_name_colour_and_logo(saved, client):
    response = saved(logo=SimpleUploadedFile("logo.png", PNG, content_type="image/png"))
    assert response.status_code == 302

    portal = client.get("/portal/").content.decode()

    assert "Acme Outdoor <span>Help center</span>" in portal
    assert ":root { --accent: #0f766e; }" in portal
    logo_url = portal.split('class="brand-logo" src="')[1].split('"')[0]
    logo = client.get(logo_url)
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png" and logo.content == PNG


def test_mail_goes_out_from_the_default_sender_with_the_company_name(saved, admin, django_capture_on_commit_callbacks):
    saved()

    with django_capture_on_commit_callbacks(execute=True):
        agent_invite(email="nia@example.test", name="Nia", role="agent", actor=admin)

    (sent,) = mail.outbox
    assert sent.from_email == "help@acme.test" and sent.subject == "You are invited to the Acme Outdoor help desk"


def test_times_are_shown_in_the_company_time_zone(saved):
    saved()
    middleware = CompanyTimeZoneMiddleware(lambda request: HttpResponse(timezone.get_current_timezone_name()))

    assert middleware(RequestFactory().get("/")).content == b"Europe/Berlin"


def test_a_file_that_is_not_an_image_and_a_bad_colour_are_refused_and_nothing_changes(saved, client):
    not_image = saved(logo=SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png"))
    bad_colour = saved(name="Other", color="teal")

    assert not_image.status_code == 422 and "The logo must be a PNG, JPEG, GIF or WebP image." in not_image.content.decode()
    assert bad_colour.status_code == 422 and "A colour is written like #2563eb." in bad_colour.content.decode()
    assert "Acme Outdoor" not in client.get("/portal/").content.decode()


def test_removing_the_logo(saved, client):
    saved(logo=SimpleUploadedFile("logo.png", PNG, content_type="image/png"))
    saved(remove_logo="on")

    assert "brand-logo" not in client.get("/portal/").content.decode()
    assert client.get("/company/logo/1/").status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "agent", "light_agent"])
def test_only_admins_change_the_company(client, make_agent, role):
    client.force_login(make_agent(role))

    assert client.get("/settings/company/").status_code == 403
    assert client.post("/settings/company/", {"name": "Hijack"}).status_code == 403
    assert "Hijack" not in client.get("/portal/").content.decode()


@pytest.mark.servers
def test_an_email_reply_carries_the_company_colour_and_logo_in_its_html(saved, agent, settings):
    from parley.channels.email.sending import reply_email
    from parley.channels.email.config import EmailConfig
    from parley.channels.services import inbox_create
    from parley.conversations.services import conversation_create, message_reply
    from parley.contacts.models import Contact

    settings.PARLEY_BASE_URL = "https://help.acme.test"
    saved(logo=SimpleUploadedFile("logo.png", PNG, content_type="image/png"))
    inbox = inbox_create(name="Support", kind="email", config={"addresses": ["support@acme.test"]})
    conversation = conversation_create(inbox=inbox, contact=Contact.objects.create(name="Rita", email="rita@example.test"))
    reply = message_reply(conversation=conversation, author=agent, text="It ships today.")

    html = reply_email(reply, EmailConfig.of(inbox), message_id="x@acme.test").alternatives[0][0]

    assert 'border-top:2px solid #0f766e' in html and "Acme Outdoor</p>" in html
    assert '<img src="https://help.acme.test/company/logo/' in html


def test_a_request_that_shows_no_time_does_not_read_the_company(saved, django_assert_num_queries):
    from datetime import datetime, timezone as dt_timezone

    saved()
    seen = {}

    def view(request):
        with django_assert_num_queries(0):
            seen["zone"] = timezone.get_current_timezone()
        with django_assert_num_queries(1):
            seen["local"] = timezone.localtime(datetime(2026, 7, 1, 12, 0, tzinfo=dt_timezone.utc))
        return HttpResponse()

    CompanyTimeZoneMiddleware(view)(RequestFactory().get("/"))

    assert seen["local"].hour == 14 and seen["local"].utcoffset().total_seconds() == 7200
