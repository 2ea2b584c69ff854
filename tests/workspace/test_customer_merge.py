"""Merging the customer of a conversation into another customer, from the customer panel."""
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.contacts.models import Contact
from parley.contacts.services import contact_merge


def merge_url(conversation):
    return reverse("workspace:customer-merge", args=[conversation.pk])


@pytest.fixture
def supervisor(make_agent):
    return make_agent(Role.SUPERVISOR, name="Sue Visor")


@pytest.fixture
def two_of_rita(api_inbox, webform_inbox, receive):
    """Rita wrote from the shop app by phone id and from the contact form by email: two customers, one person."""
    by_app = receive(api_inbox, "Where is order 77?", source_id="app-rita", name="Rita R.").conversation
    by_form = receive(webform_inbox, "Invoice for order 77", kind="email", source_id="rita@shop.test", name="Rita Ruiz",
                      email="rita@shop.test").conversation
    return by_app, by_form


def test_given_a_supervisor_when_searching_by_email_then_the_other_customer_is_offered(client, supervisor, two_of_rita):
    by_app, by_form = two_of_rita
    client.force_login(supervisor)

    response = client.get(merge_url(by_app), {"q": "rita@shop"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'?into={by_form.contact_id}"' in body and "Rita Ruiz" in body
    assert f'?into={by_app.contact_id}"' not in body


def test_searching_by_name_leaves_out_this_customer_and_customers_already_merged(client, supervisor, api_inbox, receive, two_of_rita):
    by_app, by_form = two_of_rita
    gone = receive(api_inbox, "Old account", source_id="old-rita", name="Rita Old").conversation.contact
    contact_merge(keep=by_form.contact, merge=gone)
    client.force_login(supervisor)

    body = client.get(merge_url(by_app), {"q": "rita"}).content.decode()

    candidates = body[body.index('id="merge-candidates"'):]
    assert f"?into={by_form.contact_id}" in candidates
    assert f"?into={gone.pk}" not in candidates and f"?into={by_app.contact_id}" not in candidates


def test_a_search_nobody_matches_says_so(client, supervisor, two_of_rita):
    by_app, _ = two_of_rita
    client.force_login(supervisor)

    body = client.get(merge_url(by_app), {"q": "zebra"}, headers={"HX-Request": "true"}).content.decode()

    assert "No other customer matches “zebra”." in body


def test_choosing_a_customer_asks_for_confirmation_before_merging(client, supervisor, two_of_rita):
    by_app, by_form = two_of_rita
    client.force_login(supervisor)

    body = client.get(merge_url(by_app), {"into": by_form.contact_id}, headers={"HX-Request": "true"}).content.decode()

    assert "Merge <strong>Rita R.</strong> into <strong>Rita Ruiz</strong> (rita@shop.test)?" in body
    assert f'name="into" value="{by_form.contact_id}"' in body and "Merge customers" in body
    assert Contact.objects.get(pk=by_app.contact_id).merged_into is None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-post"])
def test_confirming_merges_this_customer_into_the_other_and_lands_on_the_conversation(client, supervisor, two_of_rita, htmx):
    by_app, by_form = two_of_rita
    merged_away, kept = by_app.contact, by_form.contact
    client.force_login(supervisor)

    response = client.post(merge_url(by_app), {"into": kept.pk}, headers={"HX-Request": "true"} if htmx else {})

    target = reverse("workspace:conversation", args=[by_app.pk])
    if htmx:
        assert response.status_code == 200 and response["HX-Redirect"] == target
    else:
        assert response.status_code == 302 and response["Location"] == target
    merged_away.refresh_from_db()
    by_app.refresh_from_db()
    assert merged_away.merged_into == kept and by_app.contact == kept
    landed = client.get(target).content.decode()
    panel = landed[landed.index('class="card customer-panel"'):]
    assert "Rita R. was merged into Rita Ruiz." in landed
    assert "<h2>Rita Ruiz</h2>" in panel and "app-rita" in panel and "rita@shop.test" in panel
    assert f"#{by_form.pk} Invoice for order 77" in panel


def test_merging_a_customer_into_itself_is_refused_with_a_visible_error(client, supervisor, two_of_rita):
    by_app, _ = two_of_rita
    client.force_login(supervisor)

    response = client.post(merge_url(by_app), {"into": by_app.contact_id}, headers={"HX-Request": "true"})

    assert response.status_code == 422
    assert 'role="alert">A contact cannot be merged into itself.</div>' in response.content.decode()
    assert Contact.objects.get(pk=by_app.contact_id).merged_into is None


@pytest.mark.parametrize("into", ["999999", "", "abc"])
def test_a_missing_or_unknown_customer_is_refused_and_nothing_changes(client, supervisor, two_of_rita, into):
    by_app, _ = two_of_rita
    client.force_login(supervisor)

    response = client.post(merge_url(by_app), {"into": into})

    body = response.content.decode()
    assert response.status_code == 422
    assert "Choose the customer to keep." in body or "That customer no longer exists or was merged into another one." in body
    assert Contact.objects.filter(merged_into__isnull=False).count() == 0


def test_a_customer_merged_meanwhile_cannot_be_chosen_to_keep(client, supervisor, api_inbox, receive, two_of_rita):
    by_app, by_form = two_of_rita
    elsewhere = receive(api_inbox, "Hello", source_id="third", name="Third").conversation.contact
    contact_merge(keep=elsewhere, merge=by_form.contact)
    client.force_login(supervisor)

    response = client.post(merge_url(by_app), {"into": by_form.contact_id})

    assert response.status_code == 422
    assert "That customer no longer exists or was merged into another one." in response.content.decode()
    assert Contact.objects.get(pk=by_app.contact_id).merged_into is None


def test_an_agent_without_the_merge_permission_sees_no_merge_and_is_refused(client, agent, two_of_rita):
    by_app, by_form = two_of_rita
    client.force_login(agent)

    page = client.get(reverse("workspace:conversation", args=[by_app.pk])).content.decode()
    search = client.get(merge_url(by_app), {"q": "rita"})
    post = client.post(merge_url(by_app), {"into": by_form.contact_id})

    assert "Merge into another customer" not in page
    assert search.status_code == 403 and post.status_code == 403
    assert Contact.objects.get(pk=by_app.contact_id).merged_into is None


def test_the_merge_control_is_offered_to_roles_that_may_merge_customers(client, admin, supervisor, two_of_rita):
    by_app, _ = two_of_rita

    for user in (admin, supervisor):
        client.force_login(user)
        assert "Merge into another customer…" in client.get(reverse("workspace:conversation", args=[by_app.pk])).content.decode()


@pytest.mark.browser
@pytest.mark.servers
def test_in_the_browser_a_supervisor_finds_confirms_and_lands_on_the_kept_customer(live, page, log_in, supervisor, two_of_rita):
    by_app, by_form = two_of_rita
    log_in(page, live, supervisor)
    page.goto(f"{live}/c/{by_app.pk}/")
    page.evaluate("window.__sameDocument = true")
    panel = page.get_by_role("region", name="Customer")
    expect(panel.get_by_role("heading", name="Rita R.")).to_be_visible()

    panel.get_by_text("Merge into another customer…").click()
    panel.get_by_label("Find the customer to keep").fill("shop.test")
    panel.get_by_role("link", name="Rita Ruiz").click()
    expect(panel.locator("#customer-merge")).to_contain_text("Merge Rita R. into Rita Ruiz (rita@shop.test)?")
    assert page.evaluate("window.__sameDocument") is True
    panel.get_by_role("button", name="Merge customers").click()

    expect(page.get_by_role("status")).to_have_text("Rita R. was merged into Rita Ruiz.")
    panel = page.get_by_role("region", name="Customer")
    expect(panel.get_by_role("heading", name="Rita Ruiz")).to_be_visible()
    expect(panel).to_contain_text("app-rita")
    expect(panel).to_contain_text(f"#{by_form.pk} Invoice for order 77")
    assert page.url == f"{live}/c/{by_app.pk}/"
