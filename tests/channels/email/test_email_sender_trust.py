"""A From header that does not name one sender clearly is never filed under the customer it mentions (CVE-2023-27043),
and failed SPF/DKIM/DMARC checks show on the message."""
import pytest
from django.urls import reverse

from mailmaker import mail
from parley.contacts.models import Contact
from parley.conversations.models import Conversation, Message


@pytest.fixture
def bobs_conversation(inbox, receive):
    receive(inbox, mail(sender="Bob Brown <bob@cust.test>", subject="My order", message_id="bob-1@cust.test"))
    return Conversation.objects.get()


@pytest.mark.parametrize("sender", ["bob@cust.test <attacker@evil.test>", "bob@cust.test)<attacker@evil.test>",
                                    "bob@cust.test<attacker@evil.test>"])
def test_an_ambiguous_from_is_a_new_flagged_sender_not_the_customer_it_names(inbox, receive, bobs_conversation, sender):
    receive(inbox, mail(sender=sender, subject="Re: My order", in_reply_to="bob-1@cust.test", text="Send it to my new address"))

    message = Message.objects.get(text__startswith="Send it")
    bob = Contact.objects.get(email="bob@cust.test")
    assert message.conversation_id != bobs_conversation.pk
    assert message.sender_contact != bob and message.conversation.contact != bob
    assert list(message.sender_contact.identities.values_list("kind", "source_id")) == [("unverified_email", "attacker@evil.test")]
    assert message.metadata["sender_unverified"] is True
    assert bobs_conversation.messages.count() == 1


@pytest.mark.parametrize("sender", ["attacker@evil.test <bob@cust.test>", "Bob Brown)<bob@cust.test>",
                                    "bob@cust.test <bob@cust.test>"])
def test_an_ambiguous_from_showing_a_customers_own_address_still_never_reaches_that_customer(
        inbox, receive, bobs_conversation, sender, client, agent):
    bob = Contact.objects.get(email="bob@cust.test")

    receive(inbox, mail(sender=sender, subject="Change of bank details", text="Pay to IBAN XX00 1234"))
    receive(inbox, mail(sender=sender, subject="Re: Change of bank details", text="Did you get it?"))

    first, second = Message.objects.filter(text__in=["Pay to IBAN XX00 1234", "Did you get it?"]).order_by("pk")
    assert first.sender_contact != bob and first.conversation.contact != bob
    assert not Conversation.objects.filter(contact=bob).exclude(pk=bobs_conversation.pk).exists()
    assert first.metadata["sender_unverified"] is True
    # The same ambiguous sender again is the same unverified contact, still apart from Bob.
    assert second.sender_contact == first.sender_contact
    unverified = first.sender_contact
    assert unverified.email == "" and [i.kind for i in unverified.identities.all()] == ["unverified_email"]
    client.force_login(agent)
    card = client.get(reverse("workspace:customer", args=[unverified.pk])).content.decode()
    assert '<span class="chip">Unverified sender</span> <span class="source-id">bob@cust.test</span>' in card


def test_a_plain_from_with_a_display_name_is_trusted_and_threads_as_before(inbox, receive, bobs_conversation):
    receive(inbox, mail(sender='"Brown, Bob" <bob@cust.test>', subject="Re: My order", in_reply_to="bob-1@cust.test",
                        text="Any news?"))

    message = Message.objects.get(text__startswith="Any news")
    assert message.conversation_id == bobs_conversation.pk
    assert message.metadata["sender_unverified"] is False


def test_failed_spf_and_dmarc_show_on_the_message_in_the_workspace(inbox, receive, client, agent):
    results = "mx.parley.test; spf=softfail smtp.mailfrom=evil.test; dkim=pass header.d=cust.test; dmarc=fail header.from=cust.test"
    receive(inbox, mail(sender="Bob Brown <bob@cust.test>", headers={"Authentication-Results": results}))
    conversation = Conversation.objects.get()
    client.force_login(agent)

    page = client.get(reverse("workspace:conversation", args=[conversation.number])).content.decode()

    message = conversation.messages.get()
    assert message.metadata["authentication_failures"] == ["spf=softfail", "dmarc=fail"]
    assert "Failed spf=softfail, dmarc=fail" in page


def test_the_workspace_marks_an_unverified_sender(inbox, receive, client, agent):
    receive(inbox, mail(sender="bob@cust.test <attacker@evil.test>"))
    conversation = Conversation.objects.get()
    client.force_login(agent)

    page = client.get(reverse("workspace:conversation", args=[conversation.number])).content.decode()

    assert "Unverified sender" in page


def test_the_api_says_when_a_sender_is_unverified_and_which_checks_failed(inbox, receive, api_as, agent):
    results = "mx.parley.test; spf=fail smtp.mailfrom=evil.test; dkim=none; dmarc=fail header.from=cust.test"
    receive(inbox, mail(sender="bob@cust.test <attacker@evil.test>", headers={"Authentication-Results": results}))
    conversation = Conversation.objects.get()

    item = api_as(agent).get(f"/conversations/{conversation.pk}/messages").json()["items"][0]

    assert item["sender_unverified"] is True
    assert item["authentication_failures"] == ["spf=fail", "dmarc=fail"]
