"""Files attached to replies and notes in the composer: stored with the message, or refused whole when too large."""
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from parley.conversations.models import Attachment, MessageKind


def action_url(conversation, action):
    return reverse("workspace:action", args=[conversation.pk, action])


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> set[str]:
    root = settings.MEDIA_ROOT
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_given_two_files_when_an_agent_replies_with_htmx_then_both_are_stored_on_the_reply(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Can you send the invoice?").conversation
    client.force_login(agent)

    response = client.post(action_url(conversation, "reply"), {
        "text": "Here they are.", "attachments": [upload("invoice.pdf", b"%PDF-1.7 invoice", "application/pdf"),
                                                  upload("receipt.txt", b"paid in full", "text/plain")]},
        headers={"HX-Request": "true"})

    reply = conversation.messages.get(direction="out", kind=MessageKind.REPLY)
    files = {a.filename: a for a in reply.attachments.all()}
    body = response.content.decode()
    assert response.status_code == 200
    assert set(files) == {"invoice.pdf", "receipt.txt"}
    assert files["invoice.pdf"].content_type == "application/pdf" and files["invoice.pdf"].file.read() == b"%PDF-1.7 invoice"
    assert reverse("workspace:attachment", args=[files["receipt.txt"].pk]) in body and "invoice.pdf" in body


def test_a_reply_with_only_a_file_and_no_text_is_sent(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Photo of the label please").conversation
    client.force_login(agent)

    response = client.post(action_url(conversation, "reply"), {"text": "", "attachments": upload("label.png", b"\x89PNG", "image/png")})

    assert response.status_code == 302
    assert conversation.messages.get(direction="out", kind=MessageKind.REPLY).attachments.get().filename == "label.png"


def test_without_javascript_a_note_with_a_file_is_added_and_the_page_reloads(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Broken mug").conversation
    client.force_login(agent)

    response = client.post(action_url(conversation, "note"), {"text": "Courier photo attached", "attachments": upload("box.jpg", b"\xff\xd8")},
                           follow=True)

    note = conversation.messages.get(kind=MessageKind.NOTE)
    assert response.status_code == 200
    assert note.attachments.get().filename == "box.jpg"
    assert f'id="message-{note.pk}"' in response.content.decode() and "box.jpg" in response.content.decode()


@override_settings(PARLEY_MAX_ATTACHMENT_BYTES=10)
@pytest.mark.parametrize("action, kind", [("reply", MessageKind.REPLY), ("note", MessageKind.NOTE)])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-post"])
def test_given_a_file_over_the_limit_then_413_the_error_shows_the_text_is_kept_and_nothing_is_stored(
        client, agent, api_inbox, receive, action, kind, htmx):
    conversation = receive(api_inbox, "Hello").conversation
    client.force_login(agent)
    files_before = stored_files()

    response = client.post(action_url(conversation, action), {
        "text": "A long answer I took ten minutes to write",
        "attachments": [upload("small.txt", b"ok"), upload("huge.bin", b"x" * 11)]},
        headers={"HX-Request": "true"} if htmx else {})

    body = response.content.decode()
    assert response.status_code == 413
    assert 'id="action-error"' in body and "huge.bin is 11\xa0bytes; attachments may be up to 10\xa0bytes each." in body
    assert ">A long answer I took ten minutes to write</textarea>" in body
    assert f'id="tab-{action}" class="tab-radio" checked' in body
    assert not conversation.messages.filter(direction="out", kind=kind).exists()
    assert not Attachment.objects.filter(message__conversation=conversation).exists()
    assert stored_files() == files_before


def test_the_composer_says_how_large_a_file_may_be(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    with override_settings(PARLEY_MAX_ATTACHMENT_BYTES=5 * 1024 * 1024):
        body = client.get(reverse("workspace:conversation", args=[conversation.pk])).content.decode()

    assert body.count("up to 5.0\xa0MB each") == 2
    assert body.count('enctype="multipart/form-data"') == 2 and body.count('hx-encoding="multipart/form-data"') == 2


SMALL_LIMIT = 2048


@pytest.fixture
def small_limit_server(parley_server_factory, transactional_db):
    """A real server whose attachment limit is 2 KB, so an oversized upload stays small."""
    with parley_server_factory({"PARLEY_MAX_ATTACHMENT_BYTES": str(SMALL_LIMIT)}) as base:
        yield base


@pytest.mark.browser
@pytest.mark.servers
def test_in_the_browser_files_go_out_with_a_reply_and_an_oversized_one_is_refused_keeping_the_note(small_limit_server, page, log_in, agent, api_inbox, receive):
    base = small_limit_server
    conversation = receive(api_inbox, "The parcel arrived damaged", name="Nia Noor").conversation
    log_in(page, base, agent)
    page.goto(f"{base}/c/{conversation.pk}/")

    page.get_by_label("Reply to the customer").fill("Please see the return label and instructions.")
    page.get_by_label("Attach files to the reply").set_input_files([
        {"name": "return-label.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 label"},
        {"name": "how-to-return.txt", "mimeType": "text/plain", "buffer": b"Tape the box, drop it off."}])
    page.get_by_role("button", name="Send reply").click()

    reply = page.locator("#timeline .msg-out.kind-reply")
    expect(reply).to_contain_text("Please see the return label and instructions.")
    expect(reply.get_by_role("link", name="return-label.pdf")).to_be_visible()
    expect(reply.get_by_role("link", name="how-to-return.txt")).to_be_visible()
    with page.expect_download() as download:
        reply.get_by_role("link", name="how-to-return.txt").click()
    assert download.value.suggested_filename == "how-to-return.txt"
    assert open(download.value.path(), "rb").read() == b"Tape the box, drop it off."

    page.get_by_role("tab", name="Internal note").click()
    page.get_by_role("combobox", name="Internal note").fill("Customer sent a video of the damage.")
    page.get_by_label("Attach files to the note").set_input_files(
        {"name": "damage.mp4", "mimeType": "video/mp4", "buffer": b"\x00" * (SMALL_LIMIT + 1)})
    page.get_by_role("button", name="Add note").click()

    expect(page.locator("#action-error")).to_have_text("Attachments: damage.mp4 is 2.0\xa0KB; attachments may be up to 2.0\xa0KB each.")
    expect(page.get_by_role("combobox", name="Internal note")).to_have_value("Customer sent a video of the damage.")
    expect(page.get_by_role("combobox", name="Internal note")).to_be_visible()
    assert not conversation.messages.filter(kind=MessageKind.NOTE).exists()
    assert list(Attachment.objects.filter(message__conversation=conversation).values_list("filename", flat=True).order_by("filename")) == [
        "how-to-return.txt", "return-label.pdf"]


@pytest.mark.browser
@pytest.mark.servers
def test_with_javascript_off_a_reply_with_a_file_is_still_sent(live, browser, log_in, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Need the manual").conversation
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        log_in(plain, live, agent)
        plain.goto(f"{live}/c/{conversation.pk}/")

        plain.get_by_label("Reply to the customer").fill("Manual attached.")
        plain.get_by_label("Attach files to the reply").set_input_files(
            {"name": "manual.pdf", "mimeType": "application/pdf", "buffer": b"%PDF manual"})
        plain.get_by_role("button", name="Send reply").click()

        expect(plain.locator("#timeline .msg-out.kind-reply")).to_contain_text("Manual attached.")
        expect(plain.get_by_role("link", name="manual.pdf")).to_be_visible()
    finally:
        context.close()
