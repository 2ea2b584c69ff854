"""Saved views: personal and shared, in the sidebar with their counts."""
import re

from parley.accounts.models import Role
from parley.conversations.models import Conversation
from parley.desk.models import SavedView


def _sidebar_count(page: str, name: str) -> str:
    return re.search(rf"<span>{name}(?: <span[^>]*>· shared</span>)?</span><span class=\"count\">([^<]*)</span>", page).group(1)


def test_an_agent_saves_a_filtered_list_and_sees_it_with_its_count_others_do_not(client, make_agent, agent, api_inbox, receive):
    for n in range(3):
        receive(api_inbox, f"Message {n}", source_id=f"c{n}")
    Conversation.objects.filter(pk__in=list(Conversation.objects.values_list("pk", flat=True))[:2]).update(priority="urgent")
    client.force_login(agent)

    saved = client.post("/views/save/", {"name": "Urgent", "query": "view=all&priority=urgent&page=2"}, follow=True)

    view = SavedView.objects.get()
    assert view.query == "view=all&priority=urgent" and not view.shared
    page = saved.content.decode()
    assert "The view “Urgent” was saved." in page and _sidebar_count(page, "Urgent") == "2"
    assert len(re.findall(r'id="row-\d+"', page)) == 2
    client.force_login(make_agent())
    assert "saved-views" not in client.get("/").content.decode()


def test_a_supervisor_shares_a_view_with_everyone_and_an_agent_may_not(client, make_agent, agent, api_inbox, receive):
    receive(api_inbox, "Hi")
    client.force_login(make_agent(Role.SUPERVISOR))
    client.post("/views/save/", {"name": "Everything", "query": "view=all&status=any", "shared": "on"})
    client.force_login(agent)

    refused = client.post("/views/save/", {"name": "Mine too", "query": "view=mine", "shared": "on"}, follow=True)

    assert "Your role may not do team.manage." in refused.content.decode()
    assert _sidebar_count(client.get("/").content.decode(), "Everything") == "1"
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Everything"]


def test_the_owner_removes_a_view(client, agent, db):
    client.force_login(agent)
    client.post("/views/save/", {"name": "Mine", "query": "view=mine"})

    client.post(f"/views/{SavedView.objects.get().pk}/remove/")

    assert not SavedView.objects.exists()
