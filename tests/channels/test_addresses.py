"""The address index: an inbox's addresses in an indexed, unique table; routing an inbound address is one lookup."""
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parley.channels.email.selectors import inbox_for_address
from parley.channels.models import Inbox, InboxAddress
from parley.channels.selectors import inbox_for
from parley.channels.services import inbox_create, inbox_update
from parley.core.errors import ValidationFailed


def email_inbox(name: str, *addresses: str) -> Inbox:
    return inbox_create(name=name, kind="email", config={"addresses": list(addresses)})


def indexed(inbox: Inbox) -> set[tuple[str, str]]:
    return set(InboxAddress.objects.filter(inbox=inbox).values_list("kind", "address"))


def test_creating_and_changing_an_inbox_keeps_its_addresses_indexed(db, admin):
    inbox = email_inbox("Support", "Support@Shop.test", "billing+eu@shop.test")
    assert indexed(inbox) == {("email", "support@shop.test"), ("email", "billing@shop.test")}

    inbox_update(inbox=inbox, actor=admin, config={"addresses": ["support@shop.test", "sales@shop.test"]})

    assert indexed(inbox) == {("email", "support@shop.test"), ("email", "sales@shop.test")}
    # The address it gave up is free for another inbox.
    assert indexed(email_inbox("Billing", "billing@shop.test")) == {("email", "billing@shop.test")}


def test_an_address_another_inbox_has_is_refused_with_409_naming_the_field(api_as, admin):
    api = api_as(admin)
    api.post("/inboxes", {"name": "Support", "kind": "email", "config": {"addresses": ["support@shop.test"]}})

    taken = api.post("/inboxes", {"name": "Copy", "kind": "email", "config": {"addresses": ["help@shop.test", "SUPPORT+x@shop.test"]}})

    assert taken.status_code == 409
    assert taken.json()["extra"] == {"addresses": "support@shop.test is already an address of the inbox “Support”"}
    assert list(Inbox.objects.values_list("name", flat=True)) == ["Support"]
    assert not InboxAddress.objects.filter(address="help@shop.test").exists()


def test_an_update_claiming_another_inboxs_address_changes_nothing(db, admin):
    email_inbox("Support", "support@shop.test")
    sales = email_inbox("Sales", "sales@shop.test")

    with pytest.raises(ValidationFailed) as refused:
        inbox_update(inbox=sales, actor=admin, config={"addresses": ["sales@shop.test", "support@shop.test"]})

    assert refused.value.status == 409 and "addresses" in refused.value.extra
    sales.refresh_from_db()
    assert sales.settings["addresses"] == ["sales@shop.test"] and indexed(sales) == {("email", "sales@shop.test")}


def test_finding_the_inbox_for_an_inbound_address_is_one_query_whatever_the_number_of_inboxes(db):
    for n in range(30):
        email_inbox(f"Brand {n}", f"brand{n}@shop.test")
    wanted = email_inbox("Support", "support@shop.test")

    with CaptureQueriesContext(connection) as queries:
        found = inbox_for_address("Support+Order-77@SHOP.test")

    assert found == wanted
    assert len(queries) == 1
    assert inbox_for_address("nobody@shop.test") is None


def test_a_deactivated_inbox_receives_nothing_but_keeps_its_address(db, admin):
    inbox = email_inbox("Support", "support@shop.test")

    inbox_update(inbox=inbox, actor=admin, is_active=False)

    assert inbox_for(kind="email", address="support@shop.test") is None
    with pytest.raises(ValidationFailed):
        email_inbox("Copy", "support@shop.test")


def test_the_data_migration_indexes_the_inboxes_that_existed_before_the_table(db):
    inbox = email_inbox("Support", "support@shop.test", "help@shop.test")
    newer = email_inbox("Newer", "newer@shop.test")
    InboxAddress.objects.all().delete()
    # Before the index two inboxes could list one address: the older one keeps receiving on it.
    Inbox.objects.filter(pk=newer.pk).update(config={"addresses": ["newer@shop.test", "help@shop.test"]})

    importlib.import_module("parley.channels.migrations.0005_encrypt_secrets_and_index_addresses").forward(apps, None)

    assert indexed(inbox) == {("email", "support@shop.test"), ("email", "help@shop.test")}
    assert indexed(newer) == {("email", "newer@shop.test")}
    assert inbox_for_address("help@shop.test") == inbox
