"""Searching conversations by number, customer, and words, on whichever database runs the suite."""
from datetime import timedelta

import pytest
from django.utils import timezone

from parley.channels.base import InboundMessage
from parley.conversations.models import Conversation
from parley.conversations.selectors import ConversationFilters, conversation_list
from parley.conversations.services import conversation_assign, conversation_merge, message_note, message_receive

_ids = iter(range(1, 1_000_000))


def receive(inbox, text, *, customer="cust-1", name="", email="", subject="", when=None):
    """Let a customer write `text`; return the conversation it landed in."""
    inbound = InboundMessage(external_id=f"ext-{next(_ids)}", identity_kind="external_id", source_id=customer,
                             contact_name=name, contact_email=email, text=text, subject=subject)
    return message_receive(inbox=inbox, inbound=inbound, received_at=when).conversation


def search(user, text) -> list[int]:
    return list(conversation_list(user=user, filters=ConversationFilters(text=text)).values_list("pk", flat=True))


@pytest.fixture
def late_order(api_inbox):
    return receive(api_inbox, "My parcel never arrived, the courier lost it", customer="rita", name="Rita Ruiz",
                   email="rita@example.test", subject="Late delivery")


@pytest.fixture
def invoice(api_inbox):
    return receive(api_inbox, "Please send me a copy of my invoice", customer="omar", name="Omar Okafor",
                   email="omar@example.test", subject="Billing question")


def test_given_a_conversation_number_when_searching_it_with_or_without_hash_then_that_conversation_is_found(agent, late_order, invoice):
    assert search(agent, f"#{invoice.pk}") == [invoice.pk]
    assert search(agent, str(late_order.pk)) == [late_order.pk]


def test_given_an_order_number_quoted_in_a_message_when_searching_the_number_then_the_conversation_is_found(agent, api_inbox, late_order):
    quoting = receive(api_inbox, "Order 998877 arrived broken", customer="li")

    assert search(agent, "998877") == [quoting.pk]


def test_given_a_customer_email_when_searching_it_then_all_their_conversations_are_found(agent, api_inbox, late_order, invoice):
    again = receive(api_inbox, "Another thing", customer="rita-chat", email="rita@example.test")
    mail_inbox_conversation = receive(api_inbox, "Hello from my other address", customer="rita", subject="Second")

    assert set(search(agent, "Rita@Example.test")) == {late_order.pk, again.pk, mail_inbox_conversation.pk} - {invoice.pk}
    assert invoice.pk not in search(agent, "rita@example.test")


def test_given_words_in_a_message_when_searching_them_then_only_matching_conversations_are_found(agent, late_order, invoice):
    assert search(agent, "courier lost") == [late_order.pk]
    assert search(agent, "invoice") == [invoice.pk]
    assert search(agent, "courier invoice") == []


def test_given_a_subject_or_customer_name_when_searching_it_then_the_conversation_is_found(agent, late_order, invoice):
    assert search(agent, "billing") == [invoice.pk]
    assert search(agent, "Okafor") == [invoice.pk]


def test_given_words_spread_over_the_customer_and_a_message_when_searching_them_together_then_the_conversation_is_found(agent, late_order, invoice):
    assert search(agent, "Rita courier") == [late_order.pk]
    assert search(agent, "the courier lost it") == [late_order.pk]


def test_given_a_word_being_typed_when_searching_its_start_then_the_conversation_is_found(agent, late_order, invoice):
    assert search(agent, "cour") == [late_order.pk]
    assert search(agent, "copy of my invo") == [invoice.pk]


def test_given_a_word_no_conversation_holds_when_searching_then_nothing_is_found(agent, late_order, invoice):
    assert search(agent, "refund") == []
    assert search(agent, "#999999") == []
    assert search(agent, "nobody@example.test") == []


def test_given_several_matches_when_searching_then_the_most_recent_activity_comes_first(agent, api_inbox):
    now = timezone.now()
    old = receive(api_inbox, "printer jammed", customer="a", when=now - timedelta(days=3))
    recent = receive(api_inbox, "printer on fire", customer="b", when=now - timedelta(hours=1))
    middle = receive(api_inbox, "printer offline", customer="c", when=now - timedelta(days=1))

    assert search(agent, "printer") == [recent.pk, middle.pk, old.pk]


def test_given_an_agent_assigned_a_conversation_when_searching_the_agents_name_then_system_events_do_not_match(admin, agent, late_order):
    conversation_assign(conversation=late_order, actor=admin, assignee=agent)

    assert search(admin, "Sam") == []


def test_given_an_internal_note_when_searching_its_words_then_the_conversation_is_found(agent, late_order, invoice):
    message_note(conversation=invoice, author=agent, text="Customer is entitled to a goodwill voucher")

    assert search(agent, "goodwill") == [invoice.pk]


#: Nothing but query syntax or symbols: there is nothing to search for, so nothing is found.
SYNTAX_ONLY = ['"', "*", "'", "(", ")", "{}", "🚚📦", "#", "@", "\\", "%", "_", "-", ":*", "<->"]
#: A real word wrapped in syntax: the word is searched, the syntax ignored.
WRAPPED_WORD = ['"courier', 'courier"', "courier*", "-courier", "^courier", "courier 🚚", "\x00courier",
                "courier " * 1000, "(courier)", "COURIER!"]
#: Anything else an agent might paste: it must answer, whatever it finds.
ODD = ["NEAR(", "NEAR(courier lost", "AND OR", "courier' OR 1=1 --", "a & | ! :* <->", "99999999999999999999999999999",
       "#abc", "a@b", "x" * 5000, "é", "ñandú", "col:courier", "  ", "#12 34", "ab\u0301c"]


@pytest.mark.parametrize("text", SYNTAX_ONLY, ids=range(len(SYNTAX_ONLY)))
def test_given_only_query_syntax_when_searching_then_nothing_is_found_and_nothing_fails(agent, late_order, invoice, text):
    assert search(agent, text) == []


@pytest.mark.parametrize("text", WRAPPED_WORD, ids=range(len(WRAPPED_WORD)))
def test_given_a_word_wrapped_in_query_syntax_when_searching_then_the_word_is_found(agent, late_order, invoice, text):
    assert search(agent, text) == [late_order.pk]


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
def test_given_odd_text_when_searching_then_it_answers_without_error(agent, late_order, invoice, text):
    found = search(agent, text)

    assert set(found) <= {late_order.pk, invoice.pk}


def test_given_a_message_is_added_when_searching_its_words_then_the_conversation_is_found(agent, api_inbox, late_order):
    assert search(agent, "tracking") == []

    receive(api_inbox, "Here is the tracking code", customer="rita")

    assert search(agent, "tracking") == [late_order.pk]


def test_given_a_message_is_edited_when_searching_then_old_words_no_longer_match_and_new_ones_do(agent, late_order):
    message = late_order.messages.get()
    message.text = "My umbrella arrived torn"
    message.save()

    assert search(agent, "courier") == []
    assert search(agent, "umbrella") == [late_order.pk]


def test_given_a_message_is_deleted_when_searching_its_words_then_nothing_is_found(agent, api_inbox, late_order):
    extra = receive(api_inbox, "Also my voucher expired", customer="rita").messages.latest("created_at")

    extra.delete()

    assert search(agent, "voucher") == []
    assert search(agent, "courier") == [late_order.pk]


def test_given_a_long_thread_when_searching_words_from_its_start_and_end_then_it_is_found_and_follows_deletions(
        agent, api_inbox, late_order, invoice):
    # Long enough for the embedded index to keep its text in several passages.
    for n in range(60):
        receive(api_inbox, {3: "the zipper broke", 57: "still waiting for the voucher"}.get(n, f"follow-up number {n}"),
                customer="rita")
    assert search(agent, "zipper voucher") == [late_order.pk]
    assert search(agent, "courier voucher") == [late_order.pk]

    late_order.messages.get(text="the zipper broke").delete()

    assert search(agent, "zipper") == []
    assert search(agent, "voucher") == [late_order.pk]
    receive(api_inbox, "and the buckle too", customer="rita")
    assert search(agent, "buckle courier") == [late_order.pk]
    assert search(agent, "invoice") == [invoice.pk]


def test_given_two_conversations_are_merged_when_searching_the_merged_ones_words_then_the_kept_one_is_found(admin, late_order, invoice):
    from parley.contacts.services import contact_merge

    contact_merge(keep=late_order.contact, merge=invoice.contact, actor=admin)  # the same person, as merging asks
    invoice.refresh_from_db()
    conversation_merge(keep=late_order, merge=invoice, actor=admin)

    assert search(admin, "invoice") == [late_order.pk]
    assert Conversation.objects.get(pk=invoice.pk).merged_into_id == late_order.pk


def test_given_a_subject_and_customer_change_when_searching_then_the_new_values_match(agent, late_order):
    from parley.contacts.services import contact_update
    from parley.conversations.services import conversation_update

    conversation_update(conversation=late_order, actor=agent, subject="Damaged goods")
    contact_update(contact=late_order.contact, name="Rita Fernández")

    assert search(agent, "damaged") == [late_order.pk]
    assert search(agent, "delivery") == []
    assert search(agent, "fernandez") == [late_order.pk]


def test_given_the_index_was_lost_when_migrate_runs_then_existing_conversations_are_found_again(transactional_db, agent, late_order):
    # Committed rows, as in a real migrate: PostgreSQL cannot index a table with pending constraint checks.
    from django.core.management import call_command
    from django.db import connection

    from parley.search import backend_for

    backend_for(connection.vendor).uninstall(connection)

    call_command("migrate", verbosity=0)

    assert search(agent, "courier") == [late_order.pk]


def test_given_a_schema_change_rebuilds_the_messages_table_when_migrate_finishes_then_search_still_follows_writes(
        transactional_db, agent, api_inbox, late_order):
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
    from django.db import connection, migrations, models

    from parley.conversations.models import Message

    plan = [(migrations.Migration("0999_widen_external_id", "conversations"), False)]
    narrow = Message._meta.get_field("external_id")
    wide = models.CharField(max_length=300, blank=True, db_index=True)
    wide.set_attributes_from_name("external_id")
    wide.model = Message
    emit_pre_migrate_signal(0, False, "default", plan=plan)
    with connection.schema_editor() as editor:  # SQLite copies the table to a new one for this
        editor.alter_field(Message, narrow, wide)
        editor.alter_field(Message, wide, narrow)
    emit_post_migrate_signal(0, False, "default", plan=plan)

    receive(api_inbox, "Here is the tracking code", customer="rita")

    assert search(agent, "courier") == [late_order.pk]
    assert search(agent, "tracking") == [late_order.pk]


@pytest.mark.sqlite
def test_given_a_database_indexed_by_an_earlier_version_when_migrate_runs_then_the_index_is_replaced(
        transactional_db, agent, api_inbox, late_order):
    from django.core.management import call_command
    from django.db import connection

    from parley.search import sqlite

    sqlite.uninstall(connection)
    with connection.cursor() as cursor:  # what an earlier version left: one document per conversation, its own triggers
        cursor.execute("CREATE VIRTUAL TABLE search_conversation_fts USING fts5(subject, body, customer)")
        cursor.execute("CREATE TRIGGER search_message_ai AFTER INSERT ON conversations_message "
                       "BEGIN DELETE FROM search_conversation_fts WHERE rowid = new.conversation_id; END")

    call_command("migrate", verbosity=0)
    receive(api_inbox, "Here is the tracking code", customer="rita")

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name IN ('search_conversation_fts', 'search_message_ai')")
        assert cursor.fetchall() == []
    assert search(agent, "courier") == [late_order.pk]
    assert search(agent, "tracking") == [late_order.pk]
