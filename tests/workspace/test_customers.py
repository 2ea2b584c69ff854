"""The customers directory and a customer's page through Django's test client: what each role sees and may change."""
import re

import pytest
from django.urls import reverse

from parley.accounts.models import Role
from parley.contacts.models import Contact, Organization, Segment
from parley.contacts.services import contact_create, contact_merge
from parley.conversations.services import message_reply
from parley.core.models import AuditEntry

CUSTOMERS = reverse("workspace:customers")


def customer_url(contact):
    return reverse("workspace:customer", args=[contact.pk])


def listed_names(body: str) -> list[str]:
    """Return the customer names in the directory's table, top to bottom."""
    return re.findall(r'class="customer">([^<]+)</a>', body)


@pytest.fixture
def rita(api_inbox, webform_inbox, receive):
    """Rita Ruiz wrote from the shop app and from the contact form (same email): one customer, two channels."""
    first = receive(api_inbox, "Where is order 77?", kind="email", source_id="rita@shop.test", email="rita@shop.test",
                    subject="Order 77")
    receive(webform_inbox, "The invoice for order 77 is wrong", kind="email", source_id="rita@shop.test",
            email="rita@shop.test", subject="Invoice 77")
    contact = first.conversation.contact
    contact.phone = "+34 600 111 222"
    contact.organization = Organization.objects.create(name="Ruiz Ceramics")
    contact.save()
    contact.segments.add(Segment.objects.create(name="VIP", color="#2563eb"))
    return contact


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_every_role_finds_customers_in_the_sidebar_and_sees_each_ones_facts(client, make_agent, rita, role):
    client.force_login(make_agent(role))

    inbox = client.get(reverse("workspace:home")).content.decode()
    response = client.get(CUSTOMERS)

    body = response.content.decode()
    assert f'href="{CUSTOMERS}"' in inbox and ">Customers<" in inbox
    assert response.status_code == 200
    row = body[body.index(f'href="{customer_url(rita)}"'):].split("</tr>")[0]
    for fact in ("Rita Ruiz", "rita@shop.test", "+34 600 11 12 22", "Ruiz Ceramics", "VIP", '<td class="num">2</td>', "<time"):
        assert fact in row


@pytest.mark.parametrize("words", ["rita ru", "RITA@SHOP", "600 111", "ceramics"], ids=["name", "email", "phone", "organization"])
def test_searching_finds_a_customer_by_name_email_phone_or_organization_and_leaves_others_out(client, agent, rita, words):
    contact_create(name="Omar Haddad", email="omar@example.com", phone="+49 30 555")
    client.force_login(agent)

    body = client.get(CUSTOMERS, {"q": words}).content.decode()

    assert listed_names(body) == ["Rita Ruiz"]


def test_filtering_by_segment_lists_only_that_segments_customers(client, agent, rita):
    contact_create(name="Omar Haddad", email="omar@example.com")
    client.force_login(agent)

    everyone = client.get(CUSTOMERS).content.decode()
    vips = client.get(CUSTOMERS, {"segment": Segment.objects.get(name="VIP").pk}).content.decode()

    assert sorted(listed_names(everyone)) == ["Omar Haddad", "Rita Ruiz"]
    assert listed_names(vips) == ["Rita Ruiz"]


def test_a_customer_merged_into_another_is_not_listed(client, agent, rita):
    old = contact_create(name="Rita Old", email="old-rita@shop.test")
    contact_merge(keep=rita, merge=old)
    client.force_login(agent)

    body = client.get(CUSTOMERS, {"q": "rita"}).content.decode()

    assert listed_names(body) == ["Rita Ruiz"]


def test_the_most_recently_active_customers_come_first_fifty_to_a_page(client, agent, rita):
    for n in range(50):
        contact_create(name=f"Quiet {n:02d}")
    client.force_login(agent)

    first = client.get(CUSTOMERS).content.decode()
    second = client.get(CUSTOMERS, {"page": 2}).content.decode()

    assert len(listed_names(first)) == 50 and listed_names(first)[:2] == ["Rita Ruiz", "Quiet 00"]
    assert listed_names(second) == ["Quiet 49"]
    assert "51 customers" in first and "Page 2 of 2" in second


def test_a_search_as_you_type_answers_with_the_list_alone(client, agent, rita):
    client.force_login(agent)

    response = client.get(CUSTOMERS, {"q": "nobody-like-this"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="customer-list"' in body
    assert "No customers match" in body and "HX-Request" in response["Vary"]


def test_an_unknown_segment_is_refused_with_a_message(client, agent, rita):
    client.force_login(agent)

    response = client.get(CUSTOMERS, {"segment": 9999})

    assert response.status_code == 400
    assert "That segment does not exist." in response.content.decode()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_the_customer_page_shows_every_identity_conversation_and_message_across_channels(client, make_agent, rita, role):
    user = make_agent(role, name="Robin Role")
    conversation = rita.conversations.get(subject="Order 77")
    if role != Role.LIGHT_AGENT:
        message_reply(conversation=conversation, author=user, text="It ships tomorrow.")
    client.force_login(user)

    body = client.get(customer_url(rita)).content.decode()

    assert "<h2>Rita Ruiz</h2>" in body and "Ruiz Ceramics" in body
    assert body.count('class="source-id">rita@shop.test<') == 2 and "in Shop app" in body and "in Contact form" in body
    for c in rita.conversations.all():
        assert f'href="{reverse("workspace:conversation", args=[c.pk])}"' in body
    assert "Where is order 77?" in body and "The invoice for order 77 is wrong" in body
    assert ("Robin Role: It ships tomorrow." in body) is (role != Role.LIGHT_AGENT)
    assert ("Save customer" in body) is (role != Role.LIGHT_AGENT)


def test_the_conversation_page_links_to_its_customers_page(client, agent, rita):
    client.force_login(agent)

    body = client.get(reverse("workspace:conversation", args=[rita.conversations.first().pk])).content.decode()

    assert f'href="{customer_url(rita)}">Customer page' in body


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-post"])
def test_an_agent_edits_a_customer_and_the_change_is_saved_and_audited(client, agent, rita, htmx):
    other = Organization.objects.create(name="Ruiz Wholesale")
    client.force_login(agent)

    response = client.post(customer_url(rita), {"name": "Rita Ruiz Gómez", "email": "Rita@Ruiz.example", "phone": "+34 600 999 000",
                                                "organization": other.pk}, headers={"HX-Request": "true"} if htmx else {})

    saved = Contact.objects.get(pk=rita.pk)
    assert (saved.name, saved.email, saved.phone, saved.organization) == ("Rita Ruiz Gómez", "rita@ruiz.example", "+34600999000", other)
    assert AuditEntry.objects.get(action="contact.updated", target_id=str(rita.pk)).actor == agent
    if htmx:
        body = response.content.decode()
        assert response.status_code == 200 and "<html" not in body
        assert "<h2>Rita Ruiz Gómez</h2>" in body and "Rita Ruiz Gómez was saved." in body
    else:
        assert response.status_code == 302 and response["Location"] == customer_url(rita)


@pytest.mark.parametrize(("form", "message"), [
    ({"name": "Rita", "email": "not-an-email"}, "Email: Enter a valid email address."),
    ({"name": "Rita", "phone": "call me maybe"}, "Phone: A phone number has digits, spaces, + - ( ) . / only."),
    ({"name": "Rita", "organization": 9999}, "Organization: That organization does not exist."),
    ({"name": "", "email": "", "phone": ""}, "Give the customer a name, an email or a phone number."),
], ids=["bad-email", "bad-phone", "unknown-organization", "nothing-left"])
def test_bad_input_on_the_edit_form_is_shown_and_changes_nothing(client, agent, rita, form, message):
    client.force_login(agent)

    response = client.post(customer_url(rita), form, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 422 and message in body
    saved = Contact.objects.get(pk=rita.pk)
    assert (saved.name, saved.email, saved.phone, saved.organization.name) == ("Rita Ruiz", "rita@shop.test", "+34 600 111 222", "Ruiz Ceramics")
    assert not AuditEntry.objects.filter(action="contact.updated").exists()


def test_a_light_agent_cannot_edit_a_customer_and_is_told_why(client, make_agent, rita):
    client.force_login(make_agent(Role.LIGHT_AGENT))

    response = client.post(customer_url(rita), {"name": "Someone Else"})

    assert response.status_code == 403 and "Your role may not edit customers." in response.content.decode()
    assert Contact.objects.get(pk=rita.pk).name == "Rita Ruiz"


def test_the_page_of_a_merged_customer_leads_to_the_customer_they_were_merged_into(client, agent, rita):
    old = contact_create(name="Rita Old", email="old-rita@shop.test")
    contact_merge(keep=rita, merge=old)
    client.force_login(agent)

    response = client.get(customer_url(old))

    assert response.status_code == 302 and response["Location"] == customer_url(rita)


def test_an_anonymous_visitor_is_sent_to_log_in_from_customer_pages(client, rita):
    for url in (CUSTOMERS, customer_url(rita)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("workspace:login"))


def test_a_long_directory_is_paged_fifty_at_a_time(client, agent):
    for n in range(51):
        contact_create(name=f"Customer {n:02d}", email=f"c{n}@example.test")
    client.force_login(agent)

    first = client.get(CUSTOMERS).content.decode()
    second = client.get(CUSTOMERS + "?page=2").content.decode()

    assert "Page 1 of 2" in first and "Next →" in first and "← Previous" not in first
    assert len(listed_names(first)) == 50 and len(listed_names(second)) == 1
    assert "← Previous" in second
