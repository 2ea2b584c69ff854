"""A signed-in customer sees their own requests, in their terms, and replies to them."""
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from parley.contacts.services import contact_merge
from parley.conversations.models import Direction, Status
from parley.conversations.services import conversation_set_status, message_note, message_reply
from parley.portal.selectors import login_contact_for_email


def test_a_customer_sees_only_their_own_requests(client, customer_request, sign_in):
    mine = customer_request("rita@example.test", subject="My parcel")
    theirs = customer_request("bob@example.test", subject="Bob's secret refund")
    sign_in(client, "rita@example.test")

    listing = client.get("/portal/requests/").content.decode()
    other = client.get(f"/portal/requests/{theirs.pk}/")
    other_reply = client.post(f"/portal/requests/{theirs.pk}/", {"text": "let me in"})

    assert "My parcel" in listing and f"/portal/requests/{mine.pk}/" in listing
    assert "Bob" not in listing
    assert other.status_code == other_reply.status_code == 404
    assert theirs.messages.count() == 1


def test_the_request_page_shows_public_replies_and_never_internal_notes(client, customer_request, agent, sign_in, on_commit):
    conversation = customer_request("rita@example.test", text="Where is my parcel?")
    with on_commit():
        message_note(conversation=conversation, author=agent, text="Customer is on the fraud watchlist")
        message_reply(conversation=conversation, author=agent, text="It ships tomorrow.")
    sign_in(client, "rita@example.test")

    page = client.get(f"/portal/requests/{conversation.pk}/").content.decode()

    assert "Where is my parcel?" in page and "It ships tomorrow." in page
    assert "fraud watchlist" not in page
    assert "assigned" not in page  # no system events either


def test_statuses_read_in_customer_terms(client, customer_request, agent, sign_in):
    waiting, working, done = (customer_request("rita@example.test", subject=s) for s in ("Waiting", "Working", "Done"))
    conversation_set_status(conversation=waiting, actor=agent, status=Status.PENDING)
    conversation_set_status(conversation=working, actor=agent, status=Status.OPEN)
    conversation_set_status(conversation=done, actor=agent, status=Status.SOLVED)
    sign_in(client, "rita@example.test")

    page = client.get("/portal/requests/").content.decode()

    for conversation, label in ((waiting, "Waiting for you"), (working, "In progress"), (done, "Solved")):
        row = page[page.index(f"/portal/requests/{conversation.pk}/"):]
        assert row[:row.index("</li>")].count(label) == 1


def test_a_customer_reply_reopens_a_solved_request_as_an_inbound_message(client, customer_request, agent, sign_in, on_commit,
                                                                         settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    conversation = customer_request("rita@example.test")
    conversation_set_status(conversation=conversation, actor=agent, status=Status.SOLVED)
    sign_in(client, "rita@example.test")

    with on_commit():
        response = client.post(f"/portal/requests/{conversation.pk}/", {
            "text": "It still has not arrived.", "submission_id": str(uuid.uuid4()),
            "attachments": [SimpleUploadedFile("tracking.txt", b"track-123", "text/plain")]})

    conversation.refresh_from_db()
    reply = conversation.messages.filter(direction=Direction.INBOUND).latest("created_at")
    assert response.status_code == 302
    assert conversation.status == Status.OPEN
    assert reply.text == "It still has not arrived."
    assert reply.sender_contact == conversation.contact
    assert reply.external_id.startswith("portal-")
    assert reply.attachments.get().file.open("rb").read() == b"track-123"
    page = client.get(f"/portal/requests/{conversation.pk}/").content.decode()
    assert "It still has not arrived." in page and "In progress" in page
    download = client.get(f"/portal/requests/{conversation.pk}/attachments/{reply.attachments.get().pk}/")
    assert b"".join(download.streaming_content) == b"track-123"


def test_an_empty_reply_shows_an_error_and_stores_nothing(client, customer_request, sign_in):
    conversation = customer_request("rita@example.test")
    sign_in(client, "rita@example.test")

    response = client.post(f"/portal/requests/{conversation.pk}/", {"text": "   "})

    assert response.status_code == 400
    assert "Please write a message." in response.content.decode()
    assert conversation.messages.count() == 1


def test_an_oversized_reply_attachment_is_refused_with_413(client, customer_request, sign_in, settings):
    settings.PARLEY_MAX_ATTACHMENT_BYTES = 5
    conversation = customer_request("rita@example.test")
    sign_in(client, "rita@example.test")

    response = client.post(f"/portal/requests/{conversation.pk}/", {
        "text": "see file", "submission_id": str(uuid.uuid4()), "attachments": [SimpleUploadedFile("big.bin", b"123456")]})

    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert conversation.messages.count() == 1


def test_requests_of_a_merged_contact_and_copied_ones_are_listed(client, customer_request, admin, sign_in):
    own = customer_request("rita@example.test", subject="Own")
    old = customer_request("rita.old@example.test", subject="From my old address")
    copied = customer_request("bob@example.test", subject="Bob copied me")
    rita = own.contact
    copied.participants.add(rita)
    contact_merge(keep=rita, merge=old.contact, actor=admin)
    sign_in(client, "rita@example.test")

    page = client.get("/portal/requests/").content.decode()

    assert "Own" in page and "From my old address" in page and "Bob copied me" in page
    assert client.get(f"/portal/requests/{copied.pk}/").status_code == 200


def test_an_email_of_a_merged_contact_signs_in_as_the_surviving_contact(customer_request, admin):
    own = customer_request("rita@example.test")
    old = customer_request("rita.old@example.test")
    contact_merge(keep=own.contact, merge=old.contact, actor=admin)

    assert login_contact_for_email(email="rita.old@example.test") == own.contact


def test_a_double_submitted_reply_makes_one_message_and_shows_as_pending_until_processed(client, customer_request, sign_in):
    """Without a worker running, the reply waits as a stored envelope; the page says so, and a second post adds nothing."""
    from parley.channels.models import InboundEnvelope

    conversation = customer_request("rita@example.test")
    sign_in(client, "rita@example.test")
    form = {"text": "Any news on my parcel?", "submission_id": str(uuid.uuid4())}

    first = client.post(f"/portal/requests/{conversation.pk}/", form)
    second = client.post(f"/portal/requests/{conversation.pk}/", form)

    assert (first.status_code, second.status_code) == (302, 302)
    assert InboundEnvelope.objects.filter(external_id=f"portal-{form['submission_id']}").count() == 1
    page = client.get(f"/portal/requests/{conversation.pk}/").content.decode()
    assert "Your reply “Any news on my parcel?” is being added to this request" in page
