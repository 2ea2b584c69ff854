"""Merging two conversations shows both side by side with what will happen, and merges only once confirmed."""
from parley.conversations.models import Conversation
from parley.conversations.services import conversation_create


def test_the_merge_page_shows_both_and_merges_only_on_confirmation(client, agent, api_inbox, receive):
    keep = receive(api_inbox, "My order is late", subject="Late order").conversation
    merge = conversation_create(inbox=api_inbox, contact=keep.contact, subject="Order status?")
    client.force_login(agent)

    page = client.get(f"/c/{merge.pk}/merge/confirm/", {"number": f"#{keep.pk}"}).content.decode()

    assert f"Merge #{merge.pk} into #{keep.pk}?" in page
    assert "Late order" in page and "Order status?" in page
    assert f"Every message of #{merge.pk} moves into #{keep.pk}" in page
    assert Conversation.objects.get(pk=merge.pk).merged_into_id is None
    client.post(f"/c/{merge.pk}/merge/", {"number": keep.pk})
    assert Conversation.objects.get(pk=merge.pk).merged_into_id == keep.pk


def test_another_customers_conversation_is_explained_not_offered(client, agent, api_inbox, receive):
    mine = receive(api_inbox, "Hi", source_id="a").conversation
    theirs = receive(api_inbox, "Hello", source_id="b").conversation
    client.force_login(agent)

    page = client.get(f"/c/{mine.pk}/merge/confirm/", {"number": theirs.pk}).content.decode()

    assert "belong to different customers" in page
    assert "What happens" not in page


def test_a_number_that_names_no_conversation_says_so(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    response = client.get(f"/c/{conversation.pk}/merge/confirm/", {"number": "99999"})

    assert response.status_code == 422 and "There is no conversation #99999." in response.content.decode()
