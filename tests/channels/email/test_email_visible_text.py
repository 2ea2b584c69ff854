"""What an agent sees of a received email: the new text, and on request what was trimmed from it."""
from pathlib import Path

from django.urls import reverse

from mailmaker import dsn, mail
from parley.channels.email.inbound import QUOTE_ONLY_NOTE
from parley.channels.models import EnvelopeStatus
from parley.conversations.models import Conversation, DeliveryStatus, Message
from parley.conversations.services import message_reply

CORPUS = Path(__file__).parent / "corpus"
GMAIL_HTML = (
    '<div dir="ltr">It arrived this morning, thanks!<div><br></div><div>Rita</div></div><br>'
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Nov 23, 2026 at 10:05 AM Support '
    '&lt;support@example.test&gt; wrote:<br></div><blockquote class="gmail_quote">It ships today.</blockquote></div>'
)


def test_an_html_reply_is_stored_without_its_quote_and_the_quote_is_kept_for_the_toggle(inbox, receive, client, agent,
                                                                                      api_as):
    text = "It arrived this morning, thanks!\n\nRita\n\nOn Mon, Nov 23, 2026 at 10:05 AM Support wrote:\n> It ships today.\n"
    message = receive(inbox, mail(text=text, html=GMAIL_HTML)).message

    assert message.text == "It arrived this morning, thanks!\n\nRita"
    assert "It arrived this morning" in message.html and "It ships today" not in message.html
    assert "It ships today." in message.metadata["quoted_html"]

    client.force_login(agent)
    page = client.get(reverse("workspace:timeline", args=[message.conversation_id])).content.decode()
    assert "Show quoted text" in page and "It ships today." in page
    api = api_as(agent).get(f"/conversations/{message.conversation_id}/messages").json()["items"][0]
    assert api["quoted_html"].count("It ships today.") == 1 and api["is_automatic"] is False


def test_a_reply_with_nothing_new_says_so_and_opens_its_quote(inbox, receive, client, agent):
    message = receive(inbox, (CORPUS / "quote_only_reply.eml").read_bytes()).message

    assert message.text == QUOTE_ONLY_NOTE and message.html == ""
    assert message.metadata["quote_only"] is True
    client.force_login(agent)
    page = client.get(reverse("workspace:timeline", args=[message.conversation_id])).content.decode()
    assert '<details class="msg-quoted" open>' in page and "which version you are running" in page


def test_a_long_signature_is_folded_and_returned_by_the_api(inbox, receive, agent, api_as):
    message = receive(inbox, (CORPUS / "long_signature_folded.eml").read_bytes()).message

    assert message.text.endswith("Mit freundlichen Grüßen\nHelena Vogt")
    api = api_as(agent).get(f"/conversations/{message.conversation_id}/messages").json()["items"][0]
    assert "Leitung Medizininformatik" in api["signature"] and "Leitung" not in api["text"]


def test_an_out_of_office_reply_is_kept_marked_automatic_and_not_acknowledged(make_email_inbox, receive, agent, api_as,
                                                                              smtp_sink):
    inbox = make_email_inbox(smtp_port=smtp_sink.port, auto_acknowledge=True)
    message = receive(inbox, (CORPUS / "autoreply_subject_only.eml").read_bytes()).message
    receive(inbox, mail(sender="Rita Ruiz <rita@customer.test>"))

    assert message.metadata["auto_submitted"] == "auto_reply"
    api = api_as(agent).get(f"/conversations/{message.conversation_id}/messages").json()["items"][0]
    assert api["is_automatic"] is True
    # Only the person who wrote is acknowledged.
    assert [rcpt for _, rcpt, _ in smtp_sink.messages] == [["rita@customer.test"]]


def test_a_forward_stays_visible_and_is_marked_forwarded(inbox, receive, client, agent):
    message = receive(inbox, (CORPUS / "forward_inline_no_fwd_subject.eml").read_bytes()).message

    assert "Your invoice of 1 499,00 SEK is overdue." in message.text
    assert message.metadata["is_forward"] is True
    client.force_login(agent)
    assert '<span class="chip">Forwarded</span>' in client.get(
        reverse("workspace:timeline", args=[message.conversation_id])).content.decode()


def test_a_feedback_loop_complaint_opens_no_conversation(inbox, receive):
    envelope = receive(inbox, (CORPUS / "arf_aol_complaint.eml").read_bytes())

    assert envelope.status == EnvelopeStatus.PROCESSED and envelope.message is None
    assert Conversation.objects.count() == 0


def test_a_bounce_without_a_message_id_fails_the_latest_reply_to_that_address_in_plain_words(
        make_email_inbox, receive, smtp_sink, agent, on_commit):
    inbox = make_email_inbox(smtp_port=smtp_sink.port)
    receive(inbox, mail(message_id="first@customer.test"))
    conversation = Conversation.objects.get()
    with on_commit():
        earlier = message_reply(conversation=conversation, author=agent, text="Checking.")
        latest = message_reply(conversation=conversation, author=agent, text="It ships today.")
    bounce = dsn(original_message_id="x@y").replace(b"Message-ID: <x@y>\r\n", b"")

    assert receive(inbox, bounce).message is None

    latest.refresh_from_db()
    earlier.refresh_from_db()
    assert latest.delivery_status == DeliveryStatus.FAILED
    assert latest.failure_reason.startswith("bounced: The address does not exist")
    assert earlier.delivery_status == DeliveryStatus.SENT
    assert Message.objects.filter(conversation=conversation, direction="in").count() == 1
