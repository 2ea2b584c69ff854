"""The bot's own words (hand-over, feedback question) are in the customer's stored language."""
from parley.contacts.services import contact_resolve_identity
from parley.conversations.models import Conversation, MessageKind


def test_a_german_customer_asking_for_a_person_is_told_in_german_and_the_timeline_stays_in_english(bot_inbox, customer_says):
    contact_resolve_identity(inbox=bot_inbox, kind="external_id", source_id="c1", name="Rita Ruiz", language="de")

    message = customer_says(bot_inbox, "Bitte einen Mitarbeiter")

    conversation = Conversation.objects.get(pk=message.conversation_id)
    said = conversation.messages.filter(direction="out", kind=MessageKind.REPLY).latest("created_at", "id").text
    assert said == ("Ich gebe Sie an eine Person aus unserem Team weiter. Sie sieht alles, was wir hier geschrieben "
                    "haben, und antwortet bald.")
    assert conversation.messages.filter(kind=MessageKind.EVENT,
                                        text="The bot handed this conversation to the team (asked for a person).").exists()
