"""The chat services on their own: identities, context, details, greeting, rating, ending, transfer, delivery."""
import pytest
from django.core import mail

from chat_client import IDENTITY_SECRET
from parley.accounts.models import Role
from parley.channels.chat.models import ChatRating, ChatVisitor
from parley.channels.chat.selectors import messages_since, visitor_from_token, visitor_token
from parley.channels.chat.services import (chat_context_set, chat_details_set, chat_end, chat_greeting_due,
                                           chat_message_post, chat_rate, chat_session_open, chat_transfer,
                                           chat_visitor_seen, identity_hash)
from parley.conversations.models import DeliveryStatus, MessageKind, Status
from parley.conversations.services import message_reply
from parley.core.errors import ApplicationError, PermissionDenied, ValidationFailed


@pytest.fixture
def visitor(chat_inbox):
    return chat_session_open(inbox=chat_inbox, visitor=None, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/130 Mobile")


def test_a_page_view_makes_no_contact_and_the_first_message_does(visitor):
    assert visitor.contact is None
    message = chat_message_post(visitor=visitor, text="Hi", client_id="1")
    visitor.refresh_from_db()
    assert visitor.contact == message.sender_contact
    assert visitor.contact.name == visitor.placeholder_name
    assert message.conversation.inbox.kind == "chat"


def test_a_message_is_made_at_once_with_no_job_left_and_a_resend_makes_no_second(visitor, settings):
    from parley.channels.models import InboundEnvelope
    from parley.core.models import Job

    settings.PARLEY_JOBS_EAGER = False  # as in production: a job left behind would wait for a worker

    first = chat_message_post(visitor=visitor, text="Where is my parcel?", client_id="c-1")
    again = chat_message_post(visitor=visitor, text="Where is my parcel?", client_id="c-1")

    assert again.pk == first.pk
    assert InboundEnvelope.objects.get().status == "processed"
    assert not Job.objects.filter(queue="envelope.process").exists()


def test_a_message_that_fails_to_process_is_kept_with_its_error_and_retried_by_a_job(visitor, monkeypatch, run_due_jobs,
                                                                                       settings):
    from parley.channels import services as channel_services
    from parley.channels.models import InboundEnvelope
    from parley.core.models import Job

    settings.PARLEY_JOBS_EAGER = False

    apply = channel_services.envelope_apply
    monkeypatch.setattr(channel_services, "envelope_apply", lambda **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        chat_message_post(visitor=visitor, text="Hello?", client_id="c-2")

    envelope = InboundEnvelope.objects.get()
    assert envelope.status == "received" and envelope.message is None and "ZeroDivisionError" in envelope.last_error
    job = Job.objects.get(queue="envelope.process")
    assert job.attempts == 1 and job.dead_at is None
    monkeypatch.setattr(channel_services, "envelope_apply", apply)
    Job.objects.filter(pk=job.pk).update(due_at=job.created_at)
    run_due_jobs()

    envelope.refresh_from_db()
    assert envelope.status == "processed" and envelope.message.text == "Hello?"


def test_a_token_of_another_inbox_or_tampered_with_names_nobody(visitor, chat_inbox, admin):
    from parley.channels.services import inbox_create

    other = inbox_create(name="Other chat", kind="chat", actor=admin)
    token = visitor_token(visitor)
    assert visitor_from_token(inbox=chat_inbox, token=token) == visitor
    assert visitor_from_token(inbox=other, token=token) is None
    assert visitor_from_token(inbox=chat_inbox, token=token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_an_anonymous_visitor_who_logs_in_keeps_their_chat_on_the_verified_contact(visitor, chat_inbox):
    first = chat_message_post(visitor=visitor, text="Before login", client_id="1")
    verified = chat_session_open(inbox=chat_inbox, visitor=visitor, identity={
        "id": "u-7", "email": "ana@example.com", "name": "Ana", "hash": identity_hash(secret=IDENTITY_SECRET, user_id="u-7")})
    second = chat_message_post(visitor=verified, text="After login", client_id="2")
    assert verified.verified_id == "u-7" and verified.contact.email == "ana@example.com"
    assert second.conversation_id == first.conversation_id
    assert [m["text"] for m in messages_since(visitor=verified)] == ["Before login", "After login"]


def test_a_forged_identity_changes_nothing(visitor, chat_inbox):
    with pytest.raises(PermissionDenied, match="could not be verified"):
        chat_session_open(inbox=chat_inbox, visitor=visitor, identity={"id": "u-7", "hash": identity_hash(secret="guess", user_id="u-7")})
    visitor.refresh_from_db()
    assert visitor.verified_id == "" and visitor.contact is None


def test_context_must_be_a_small_object(visitor):
    chat_context_set(visitor=visitor, context={"cart": {"total": "12.00"}})
    assert ChatVisitor.objects.get(pk=visitor.pk).context == {"cart": {"total": "12.00"}}
    with pytest.raises(ValidationFailed, match="must be an object"):
        chat_context_set(visitor=visitor, context=["cart"])
    with pytest.raises(ValidationFailed, match="larger than 16 KB"):
        chat_context_set(visitor=visitor, context={"blob": "x" * 20_000})


def test_an_email_given_after_chatting_lands_on_the_contact_and_a_bad_one_is_refused(visitor):
    chat_message_post(visitor=visitor, text="Hi", client_id="1")
    with pytest.raises(ValidationFailed, match="does not look right"):
        chat_details_set(visitor=visitor, email="not-an-address")
    chat_details_set(visitor=visitor, name="Nia", email="Nia@Example.com")
    visitor.contact.refresh_from_db()
    assert (visitor.contact.name, visitor.contact.email) == ("Nia", "nia@example.com")


def test_the_proactive_greeting_shows_once_a_day(visitor):
    assert chat_greeting_due(visitor=visitor) is True
    assert chat_greeting_due(visitor=visitor) is False


def test_a_reply_is_delivered_live_while_the_widget_is_open_and_emailed_once_the_visitor_left(visitor, agent):
    conversation = chat_message_post(visitor=visitor, text="Hi", client_id="1").conversation
    chat_details_set(visitor=visitor, email="nia@example.com")
    chat_visitor_seen(visitor=visitor)
    live = message_reply(conversation=conversation, author=agent, text="Hello!")
    assert live.__class__.objects.get(pk=live.pk).delivery_status == DeliveryStatus.DELIVERED
    assert mail.outbox == []

    chat_visitor_seen(visitor=visitor, connected=False)
    message_reply(conversation=conversation, author=agent, text="Still there?")
    assert [m.to for m in mail.outbox] == [["nia@example.com"]]


def test_an_ended_chat_can_be_rated_once_by_its_visitor(visitor, agent, chat_inbox):
    conversation = chat_message_post(visitor=visitor, text="Hi", client_id="1").conversation
    chat_end(conversation=conversation, actor=agent)
    conversation.refresh_from_db()
    assert conversation.status == Status.SOLVED
    with pytest.raises(ValidationFailed):
        chat_rate(visitor=visitor, conversation_id=conversation.pk, score=6)
    chat_rate(visitor=visitor, conversation_id=conversation.pk, score=4)
    chat_rate(visitor=visitor, conversation_id=conversation.pk, score=5)
    assert ChatRating.objects.get(conversation=conversation).score == 5
    stranger = chat_session_open(inbox=chat_inbox, visitor=None)
    with pytest.raises(ApplicationError, match="No such chat"):
        chat_rate(visitor=stranger, conversation_id=conversation.pk, score=1)


def test_a_transfer_assigns_and_leaves_a_note_for_the_next_agent(visitor, agent, make_agent):
    conversation = chat_message_post(visitor=visitor, text="Refund please", client_id="1").conversation
    ben = make_agent(Role.AGENT, name="Ben Okafor")
    chat_transfer(conversation=conversation, actor=agent, assignee=ben, note="Wants a refund for order 12")
    conversation.refresh_from_db()
    assert conversation.assignee == ben
    assert conversation.messages.filter(kind=MessageKind.NOTE, text="Wants a refund for order 12").exists()
    with pytest.raises(ValidationFailed):
        chat_transfer(conversation=conversation, actor=agent)
