"""A mail whose attachment names a file system cannot hold still arrives whole: text and every file."""
import pytest
from django.conf import settings

from mailmaker import mail
from parley.conversations.models import Message

HOSTILE_NAMES = ["..", ".", " ", "../../evil.txt", "😀" * 100, "é" * 200, "請求書" * 30 + ".pdf", "a/b\\c:d*?.txt",
                 "con\x00trol\x1f.txt"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_a_mail_with_a_hostile_attachment_name_keeps_its_text_and_file(inbox, receive, name):
    receive(inbox, mail(text="Invoice attached.", attachments=[(name, "application/pdf", b"%PDF-1.7 data")]))

    message = Message.objects.get(direction="in")
    attachment = message.attachments.get()
    stored = settings.MEDIA_ROOT / attachment.file.name
    assert "Invoice attached." in message.text
    assert attachment.file.read() == b"%PDF-1.7 data"
    assert stored.resolve().is_relative_to((settings.MEDIA_ROOT / "attachments").resolve())
    assert len(stored.name.encode()) <= 100
    assert attachment.filename and "/" not in attachment.filename and "\\" not in attachment.filename
    assert attachment.filename not in (".", "..") and attachment.filename.strip() == attachment.filename
    assert len(attachment.filename) <= 120


def test_a_long_name_keeps_its_extension_and_a_readable_start(inbox, receive):
    receive(inbox, mail(attachments=[("請求書" * 30 + ".pdf", "application/pdf", b"%PDF")]))

    filename = Message.objects.get(direction="in").attachments.get().filename
    assert filename.startswith("請求書請求書") and filename.endswith(".pdf")
