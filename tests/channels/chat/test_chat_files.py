"""Files in a chat: a visitor's upload within the chat's rules, pictures both ways, and refusals that store nothing."""
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from chat_client import SHOP, png_bytes
from parley.channels.base import InboundAttachment
from parley.channels.chat import selectors
from parley.channels.chat.models import ChatVisitor
from parley.conversations.models import Attachment, Message
from parley.conversations.services import message_reply


def _token(client, inbox, **headers) -> str:
    response = client.post(f"/chat/{inbox.key}/session/", data="{}", content_type="text/plain", HTTP_ORIGIN=SHOP, **headers)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _upload(client, inbox, token, name, content, content_type, origin=SHOP):
    return client.post(f"/chat/{inbox.key}/upload/", {"token": token, "client_id": name,
                                                      "file": SimpleUploadedFile(name, content, content_type)},
                       HTTP_ORIGIN=origin)


def test_a_visitors_picture_reaches_the_agent_and_shows_inline_from_its_signed_link(client, chat_inbox, agent):
    token = _token(client, chat_inbox)
    picture = png_bytes()

    response = _upload(client, chat_inbox, token, "broken-zip.png", picture, "image/png")

    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == SHOP
    shown = response.json()["message"]
    assert shown["from"] == "visitor" and shown["files"][0]["name"] == "broken-zip.png" and shown["files"][0]["image"]
    stored = Attachment.objects.get(message_id=shown["id"])
    assert stored.content_type == "image/png" and stored.file.read() == picture

    served = client.get(shown["files"][0]["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert "attachment" not in served.get("Content-Disposition", "") and served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == picture

    client.force_login(agent)
    page = client.get(f"/c/{shown['conversation_id']}/").content.decode()
    assert "broken-zip.png" in page


def test_a_file_the_chat_does_not_carry_is_refused_with_the_reason_and_nothing_is_stored(client, chat_inbox):
    token = _token(client, chat_inbox)

    svg = _upload(client, chat_inbox, token, "logo.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")
    huge = _upload(client, chat_inbox, token, "video.png", b"\0" * (5 * 1024 * 1024 + 1), "image/png")
    forged = _upload(client, chat_inbox, token[:-2] + "xx", "a.png", png_bytes(), "image/png")
    elsewhere = _upload(client, chat_inbox, token, "a.png", png_bytes(), "image/png", origin="https://evil.example")

    assert svg.status_code == 422 and "image/svg+xml is not carried" in svg.json()["message"]
    assert svg["Access-Control-Allow-Origin"] == SHOP  # the widget can show why
    assert huge.status_code == 413 and "larger than 5.0\xa0MB" in huge.json()["message"]
    assert forged.status_code == 403 and elsewhere.status_code == 403
    assert not Message.objects.exists() and not Attachment.objects.exists()


def test_an_agents_picture_reaches_the_widget_and_a_forged_file_link_is_refused(client, chat_inbox, agent):
    token = _token(client, chat_inbox)
    first = client.post(f"/chat/{chat_inbox.key}/upload/", {"token": token, "client_id": "1", "text": "What size is this?",
                                                          "file": SimpleUploadedFile("tag.png", png_bytes(), "image/png")},
                        HTTP_ORIGIN=SHOP).json()["message"]
    conversation = Message.objects.get(pk=first["id"]).conversation
    reply = message_reply(conversation=conversation, author=agent, text="That is a medium.",
                          attachments=[InboundAttachment(filename="size-chart.pdf", content_type="application/pdf",
                                                         content=b"%PDF-1.4 size chart")])

    visitor = ChatVisitor.objects.get(inbox=chat_inbox)
    shown = selectors.message_for_visitor(visitor=visitor, message_id=reply.pk)

    assert first["text"] == "What size is this?"
    assert shown["author"] == "Sam" and shown["initials"] == "SA"
    assert shown["files"] == [{"name": "size-chart.pdf", "type": "application/pdf", "size": 19, "url": shown["files"][0]["url"],
                               "image": False}]
    download = client.get(shown["files"][0]["url"])
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert client.get(shown["files"][0]["url"][:-3] + "xx/").status_code == 404


def test_the_widget_gets_its_words_in_the_visitors_language_else_the_inboxs(client, chat_inbox, admin):
    from parley.channels.services import inbox_update

    def words(**headers):
        response = client.post(f"/chat/{chat_inbox.key}/session/", data=json.dumps({}), content_type="text/plain",
                               HTTP_ORIGIN=SHOP, **headers)
        return response.json()["words"]

    assert words(HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")["send"] == "Envoyer"
    assert words(HTTP_ACCEPT_LANGUAGE="en-GB,fr;q=0.5")["send"] == "Send"
    assert words(HTTP_ACCEPT_LANGUAGE="de-DE")["placeholder"] == "Nachricht schreiben …"
    assert words(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")["attach"] == "Adjuntar un archivo"
    assert words(HTTP_ACCEPT_LANGUAGE="it-IT")["placeholder"] == "Write a message…"
    inbox_update(inbox=chat_inbox, actor=admin, config={"language": "fr"})
    chat_inbox.refresh_from_db()
    assert words(HTTP_ACCEPT_LANGUAGE="it-IT")["placeholder"] == "Écrivez un message…"
