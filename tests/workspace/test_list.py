"""The inbox list: views, filters, search and pages return the right rows."""
import re

from django.urls import reverse

from parley.accounts.models import Role
from parley.conversations.services import conversation_assign, conversation_set_status, conversation_set_tags, conversation_update


def numbers_in(response) -> list[int]:
    return [int(n) for n in re.findall(r'<span class="number">#(\d+)</span>', response.content.decode())]


def listing(client, **params):
    return client.get(reverse("workspace:home"), params)


def test_views_filters_and_search_each_narrow_the_list(client, make_agent, agent, team, api_inbox, webform_inbox, receive):
    ana = make_agent(Role.AGENT, name="Ana Lopez")
    mine = receive(api_inbox, "Printer jams", source_id="p", name="Paula Printer").conversation
    conversation_assign(conversation=mine, actor=agent, assignee=agent, team=team)
    urgent = receive(api_inbox, "Site is down", source_id="u", name="Uma Urgent").conversation
    conversation_update(conversation=urgent, actor=agent, priority="urgent")
    conversation_assign(conversation=urgent, actor=agent, assignee=ana)
    tagged = receive(webform_inbox, "Refund request", kind="email", source_id="t@x.test", name="Tom Tagged").conversation
    conversation_set_tags(conversation=tagged, actor=agent, tags=["refund"])
    solved = receive(api_inbox, "Thanks, all good", source_id="s", name="Sol Solved").conversation
    conversation_set_status(conversation=solved, actor=agent, status="solved")
    client.force_login(agent)

    assert numbers_in(listing(client)) == [tagged.pk, urgent.pk, mine.pk]
    assert numbers_in(listing(client, view="mine")) == [mine.pk]
    assert numbers_in(listing(client, view="unassigned")) == [tagged.pk]
    assert numbers_in(listing(client, view="teams")) == [mine.pk]
    assert numbers_in(listing(client, status="solved")) == [solved.pk]
    assert numbers_in(listing(client, status="any")) == [solved.pk, tagged.pk, urgent.pk, mine.pk]
    assert numbers_in(listing(client, kind="webform")) == [tagged.pk]
    assert numbers_in(listing(client, priority="urgent")) == [urgent.pk]
    assert numbers_in(listing(client, tag="refund")) == [tagged.pk]
    assert numbers_in(listing(client, assignee=ana.pk)) == [urgent.pk]
    assert numbers_in(listing(client, q=f"#{urgent.pk}")) == [urgent.pk]
    assert numbers_in(listing(client, q="Paula")) == [mine.pk]
    assert numbers_in(listing(client, q="jams")) == [mine.pk]


def test_the_sidebar_counts_active_conversations_per_view(client, agent, api_inbox, receive):
    conversation_assign(conversation=receive(api_inbox, "One", source_id="1").conversation, actor=agent, assignee=agent)
    receive(api_inbox, "Two", source_id="2")
    receive(api_inbox, "Three", source_id="3")
    client.force_login(agent)

    body = listing(client).content.decode()

    counts = dict(re.findall(r'data-view="(\w+)">(\d+)<', body))
    assert counts == {"mine": "1", "unassigned": "2", "teams": "0", "all": "3"}


def test_an_htmx_filter_change_returns_only_the_list_and_fresh_counts(client, agent, api_inbox, receive):
    receive(api_inbox, "Hello")
    client.force_login(agent)

    response = client.get(reverse("workspace:home"), {"status": "active"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "<html" not in body and body.startswith('<section id="conversation-list"')
    assert 'id="view-counts" class="views" hx-swap-oob="true"' in body
    assert "HX-Request" in response["Vary"]


def test_fifty_conversations_fit_on_a_page_and_the_rest_follow(client, agent, api_inbox, receive):
    for n in range(51):
        receive(api_inbox, f"Question {n}", source_id=f"c{n}")
    client.force_login(agent)

    first, second = listing(client), listing(client, page=2)

    assert len(numbers_in(first)) == 50 and len(numbers_in(second)) == 1
    assert "Page 1 of 2" in first.content.decode() and "Older →" in first.content.decode()
    assert set(numbers_in(first)).isdisjoint(numbers_in(second))


def test_a_long_list_counts_up_to_the_cap_and_says_so_and_its_later_pages_still_follow(client, agent, api_inbox, receive,
                                                                                        monkeypatch):
    from parley.conversations import selectors
    from parley.workspace import views

    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        receive(api_inbox, f"Question {n}", source_id=f"c{n}")
    client.force_login(agent)

    first, last = listing(client).content.decode(), listing(client, page=3).content.decode()

    assert '<span class="list-count">3+</span>' in first and "All 3+ matching" in first and "Page 1 of 2+" in first
    assert "Older →" in first
    assert '<span class="list-count">5</span>' in last and "Page 3 of 3" in last and "Older →" not in last


def test_an_unknown_filter_value_is_reported_and_lists_nothing(client, agent, api_inbox, receive):
    receive(api_inbox, "Hello")
    client.force_login(agent)

    response = listing(client, priority="sky-high")

    assert response.status_code == 400
    assert "Select a valid choice. sky-high is not one of the available choices." in response.content.decode()
    assert numbers_in(response) == []


def test_a_search_nothing_matches_says_so_instead_of_showing_a_blank_list(client, agent, api_inbox, receive):
    receive(api_inbox, "Printer jams")
    client.force_login(agent)

    response = listing(client, q="zebra crossing")

    assert numbers_in(response) == []
    assert "No conversations match. Try another view or clear the filters." in response.content.decode()
