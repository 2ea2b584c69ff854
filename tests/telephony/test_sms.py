"""The SMS channel: signed inbound texts and MMS, replies through the provider's API, status callbacks, STOP/START/HELP.

Replies go to a local fake of Twilio's documented REST API (tests/telephony/twilio_fake.py): a real
HTTP server in a thread, because Twilio itself is a paid remote service.
"""
import pytest
from django.test import TestCase
from twilio_wire import CUSTOMER, inbound_sms

from parley.channels.models import InboundEnvelope
from parley.conversations.models import Conversation, DeliveryStatus, MessageKind
from parley.conversations.services import message_reply as _message_reply
from parley.core.errors import ValidationFailed


def message_reply(**kwargs):
    """Reply as an agent; replies are delivered by the outbox as their transaction commits, so this one commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _message_reply(**kwargs)


def messages_url(inbox) -> str:
    return f"/channels/sms/{inbox.key}/messages/"


def status_url(inbox) -> str:
    return f"/channels/sms/{inbox.key}/status/"


def test_a_signed_text_becomes_a_conversation_with_the_number_as_the_customer_once(client, sms_inbox, twilio_post):
    first = twilio_post(client, messages_url(sms_inbox), inbound_sms())
    again = twilio_post(client, messages_url(sms_inbox), inbound_sms())

    assert first.status_code == 200 and first["Content-Type"].startswith("text/xml")
    assert first.content.decode().endswith("<Response />")
    assert again.status_code == 200
    conversation = Conversation.objects.get(inbox=sms_inbox)
    assert conversation.contact.phone == CUSTOMER
    assert [m.text for m in conversation.messages.all()] == ["Where is my order?"]


def test_a_second_text_continues_the_open_conversation(client, sms_inbox, twilio_post):
    twilio_post(client, messages_url(sms_inbox), inbound_sms("SM-a", "Hi"))
    twilio_post(client, messages_url(sms_inbox), inbound_sms("SM-b", "It is order 1234"))

    conversation = Conversation.objects.get(inbox=sms_inbox)
    assert [m.text for m in conversation.messages.all()] == ["Hi", "It is order 1234"]


def test_a_forged_or_missing_signature_is_refused_with_403_and_nothing_stored(client, sms_inbox, twilio_post):
    forged = twilio_post(client, messages_url(sms_inbox), inbound_sms(), token="a guess")
    missing = twilio_post(client, messages_url(sms_inbox), inbound_sms(), signed=False)

    assert forged.status_code == 403 and forged.json()["message"] == "X-Twilio-Signature does not match this request."
    assert missing.status_code == 403 and "no X-Twilio-Signature" in missing.json()["message"]
    assert not InboundEnvelope.objects.exists() and not Conversation.objects.exists()


def test_a_text_to_an_unknown_number_gets_a_404_whose_body_is_twiml(client, sms_inbox, twilio_post):
    on_account_url = twilio_post(client, "/channels/sms/messages/", inbound_sms(to="+14155550111"))
    wrong_inbox = twilio_post(client, messages_url(sms_inbox), inbound_sms(to="+14155550111"))

    for response in (on_account_url, wrong_inbox):
        assert response.status_code == 404 and response["Content-Type"] == "text/xml"
        assert response.content.decode().endswith("<Response />")
        assert "+14155550111" in response["X-Parley-Error"]
    assert not InboundEnvelope.objects.exists()


def test_the_account_wide_url_finds_the_inbox_by_the_number_texted(client, sms_inbox, twilio_post):
    response = twilio_post(client, "/channels/sms/messages/", inbound_sms())

    assert response.status_code == 200
    assert Conversation.objects.get().inbox == sms_inbox


def test_an_mms_arrives_with_its_pictures_fetched_with_the_account_credentials(client, sms_inbox, twilio_post, fake_twilio):
    url = fake_twilio.add_media("/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1", "image/jpeg", b"\xff\xd8jpeg bytes")

    twilio_post(client, messages_url(sms_inbox), inbound_sms(body="The box was crushed", NumMedia="1", MediaUrl0=url,
                                                             MediaContentType0="image/jpeg"))

    message = Conversation.objects.get().messages.get()
    attachment = message.attachments.get()
    assert (message.text, attachment.content_type, attachment.filename) == ("The box was crushed", "image/jpeg", "media-1.jpg")
    assert attachment.file.read() == b"\xff\xd8jpeg bytes"


def _conversation_with_text(client, inbox, twilio_post) -> Conversation:
    twilio_post(client, messages_url(inbox), inbound_sms())
    return Conversation.objects.get(inbox=inbox)


def test_a_reply_goes_out_through_the_messages_api_and_status_callbacks_move_it_forward_only(
        client, sms_inbox, twilio_post, fake_twilio, agent, settings):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)

    reply = message_reply(conversation=conversation, author=agent, text="Your order ships today.")

    reply.refresh_from_db()
    [sent] = fake_twilio.created("Messages")
    assert sent["To"] == CUSTOMER and sent["From"] == "+14155550100" and sent["Body"] == "Your order ships today."
    assert sent["StatusCallback"] == settings.PARLEY_BASE_URL + status_url(sms_inbox)
    assert reply.delivery_status == DeliveryStatus.SENT and reply.external_id.startswith("SM")

    callback = {"MessageSid": reply.external_id, "AccountSid": sms_inbox.settings["account_sid"], "From": "+14155550100",
                "To": CUSTOMER, "ApiVersion": "2010-04-01"}
    assert twilio_post(client, status_url(sms_inbox), {**callback, "MessageStatus": "delivered"}).status_code == 200
    twilio_post(client, status_url(sms_inbox), {**callback, "MessageStatus": "sent"})
    twilio_post(client, status_url(sms_inbox), {**callback, "MessageStatus": "delivered"})

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED
    assert InboundEnvelope.objects.filter(external_id__startswith=reply.external_id).count() == 2


def test_an_undelivered_callback_fails_the_reply_visibly(client, sms_inbox, twilio_post, agent):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)
    reply = message_reply(conversation=conversation, author=agent, text="Hello")
    reply.refresh_from_db()

    twilio_post(client, status_url(sms_inbox), {"MessageSid": reply.external_id, "MessageStatus": "undelivered",
                                                "ErrorCode": "30003", "ErrorMessage": "Unreachable destination handset",
                                                "To": CUSTOMER, "From": "+14155550100"})

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "error 30003: Unreachable destination handset" in reply.failure_reason
    assert conversation.messages.filter(kind=MessageKind.EVENT, text__contains="could not be delivered").exists()


def test_the_provider_refusing_a_reply_fails_it_with_the_providers_words(client, sms_inbox, twilio_post, agent, fake_twilio):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)
    fake_twilio.refuse = (400, 21211, "The 'To' number is not a valid phone number.")

    reply = message_reply(conversation=conversation, author=agent, text="Hello")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "not a valid phone number. (error 21211)" in reply.failure_reason


def test_stop_opts_the_number_out_replies_are_refused_and_start_opts_it_back_in(client, sms_inbox, twilio_post, agent, fake_twilio):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)
    queued_before = message_reply(conversation=conversation, author=agent, text="First answer")

    stop = twilio_post(client, messages_url(sms_inbox), inbound_sms("SM-stop", "Stop"))

    assert "You have been unsubscribed" in stop.content.decode()
    with pytest.raises(ValidationFailed) as refused:
        message_reply(conversation=conversation, author=agent, text="Are you sure?")
    assert refused.value.status == 409 and "texted STOP" in refused.value.message
    assert conversation.messages.filter(text="STOP").exists() is False
    assert conversation.messages.filter(text="Stop").exists()

    start = twilio_post(client, messages_url(sms_inbox), inbound_sms("SM-start", "START"))
    again = twilio_post(client, messages_url(sms_inbox), inbound_sms("SM-stop", "Stop"))  # a late redelivery of the STOP
    assert "subscribed again" in start.content.decode() and again.status_code == 200

    message_reply(conversation=conversation, author=agent, text="Welcome back")
    assert [m["Body"] for m in fake_twilio.created("Messages")] == ["First answer", "Welcome back"]
    queued_before.refresh_from_db()
    assert queued_before.delivery_status == DeliveryStatus.SENT


def test_a_reply_queued_before_a_stop_is_not_sent_and_the_conversation_says_why(client, sms_inbox, twilio_post, agent, fake_twilio,
                                                                                 settings):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)
    twilio_post(client, messages_url(sms_inbox), inbound_sms("SM-stop", "STOP"))
    from parley.channels.sms.adapter import SmsAdapter
    from parley.conversations.models import Direction, Message
    from parley.conversations.services.outbound import message_deliver

    queued = Message.objects.create(conversation=conversation, direction=Direction.OUTBOUND, text="Queued earlier",
                                    delivery_status=DeliveryStatus.QUEUED, created_at=conversation.created_at)
    with pytest.raises(Exception, match="texted STOP"):
        message_deliver(message_id=queued.pk)
    assert not fake_twilio.created("Messages")
    assert SmsAdapter().reply_refusal(conversation).startswith(CUSTOMER)


def test_help_is_answered_with_the_inbox_help_text(client, sms_inbox, twilio_post):
    from parley.channels.services import inbox_update

    inbox_update(inbox=sms_inbox, actor=None, config={"help_reply": "Acme support: call 0800 123. Reply STOP to opt out."})
    response = twilio_post(client, messages_url(sms_inbox), inbound_sms("SM-help", "help"))

    assert "<Message>Acme support: call 0800 123. Reply STOP to opt out.</Message>" in response.content.decode()


def test_segments_are_counted_in_gsm7_or_ucs2_and_a_reply_over_ten_is_refused(client, sms_inbox, twilio_post, agent, fake_twilio):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)
    text = "Your replacement is on its way. " * 21 + "Thanks"  # 678 GSM-7 septets: 5 segments of 153

    message_reply(conversation=conversation, author=agent, text=text)
    with pytest.raises(ValidationFailed) as refused:
        message_reply(conversation=conversation, author=agent, text=text + " 😀")  # the emoji makes it UCS-2: 67 per segment

    assert refused.value.extra["text"] == "11 SMS segments; at most 10 fit in one message"
    assert [m["Body"] for m in fake_twilio.created("Messages")] == [text]


def test_a_reply_goes_to_the_number_the_customer_texted_from_even_when_their_contact_has_another(
        client, sms_inbox, twilio_post, agent, fake_twilio):
    from parley.contacts.models import Contact

    conversation = _conversation_with_text(client, sms_inbox, twilio_post)
    Contact.objects.filter(pk=conversation.contact_id).update(phone="+442071838750")  # an agent edited the office number in

    message_reply(conversation=conversation, author=agent, text="We will text you here.")

    assert [m["To"] for m in fake_twilio.created("Messages")] == [CUSTOMER]


def _path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].partition("/")[2]


def _picture(name: str, content_type: str = "image/png", content: bytes = b"\x89PNG picture bytes"):
    from parley.channels.base import InboundAttachment

    return InboundAttachment(filename=name, content_type=content_type, content=content)


def test_a_reply_with_pictures_goes_out_as_mms_whose_links_the_provider_can_fetch(client, sms_inbox, twilio_post, agent, fake_twilio):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)

    reply = message_reply(conversation=conversation, author=agent, text="Here is the label",
                          attachments=[_picture("label.png"), _picture("box.jpg", "image/jpeg", b"\xff\xd8box")])

    [sent] = fake_twilio.created("Messages")
    assert sent["Body"] == "Here is the label" and len(sent["MediaUrl"]) == 2
    fetched = [client.get(_path_of(url)) for url in sent["MediaUrl"]]  # as the provider does, without any credentials
    assert [(f.status_code, f["Content-Type"], b"".join(f.streaming_content)) for f in fetched] == [
        (200, "image/png", b"\x89PNG picture bytes"), (200, "image/jpeg", b"\xff\xd8box")]
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT


def test_a_media_link_that_is_forged_or_for_another_inbox_is_refused(client, sms_inbox, twilio_post, agent, fake_twilio):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)
    message_reply(conversation=conversation, author=agent, text="", attachments=[_picture("label.png")])
    [sent] = fake_twilio.created("Messages")
    path = _path_of(sent["MediaUrl"])
    other = path.replace(sms_inbox.key, "another-key")

    forged = client.get(path[:-3] + "xx/")

    assert forged.status_code == 404 and forged.json()["message"] == "This media link is not valid or has expired."
    assert client.get(other).status_code == 404


def test_pictures_the_provider_cannot_carry_are_refused_before_anything_is_queued(client, sms_inbox, twilio_post, agent, fake_twilio):
    conversation = _conversation_with_text(client, sms_inbox, twilio_post)
    before = conversation.messages.count()

    with pytest.raises(ValidationFailed) as refused:
        message_reply(conversation=conversation, author=agent, text="Our terms", attachments=[_picture("terms.pdf", "application/pdf")])

    assert refused.value.extra["attachments"].startswith("terms.pdf: application/pdf is not carried (allowed: image/jpeg")
    assert conversation.messages.count() == before and fake_twilio.created("Messages") == []


def test_pictures_from_a_number_outside_the_us_and_canada_fail_visibly_with_the_reason(client, twilio_post, agent, fake_twilio):
    from twilio_fake import ACCOUNT_SID, AUTH_TOKEN

    from parley.channels.services import inbox_create

    berlin = inbox_create(name="Berlin texts", kind="sms", config={
        "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "number": "+49 30 901820", "api_base_url": fake_twilio.base_url})
    twilio_post(client, messages_url(berlin), inbound_sms(to="+4930901820"))
    conversation = Conversation.objects.get(inbox=berlin)

    reply = message_reply(conversation=conversation, author=agent, text="Label", attachments=[_picture("label.png")])

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "cannot send pictures: the provider sends MMS only from US and Canadian numbers" in reply.failure_reason
    assert fake_twilio.created("Messages") == []
