"""The visitor's socket against a real server process, spoken to with the `websockets` client."""
import asyncio
import json

import pytest
from websockets.exceptions import InvalidStatus

from chat_client import (FRAME_TIMEOUT_SECONDS, agent_cookie, agent_reply, agent_socket, next_frame, round_trip, session,
                         visitor_socket)
from parley.accounts.services import api_token_create
from parley.conversations.models import Message

pytestmark = pytest.mark.servers


def test_a_visitor_message_reaches_the_agent_live_and_the_agent_reply_reaches_the_widget(parley_server, chat_inbox, agent, run_async):
    _, api_token = api_token_create(user=agent, name="desk")
    token = session(parley_server, chat_inbox).json()["token"]
    cookie = agent_cookie(agent)

    ack, received, shown = run_async(round_trip(
        visitor_base=parley_server, agent_base=parley_server, inbox=chat_inbox, token=token, cookie=cookie,
        api_token=api_token, text="Does the jacket come in blue?", reply_text="Yes, in navy blue."))
    assert ack["message"]["text"] == "Does the jacket come in blue?" and ack["message"]["from"] == "visitor"
    assert received["payload"]["conversation_id"] == ack["message"]["conversation_id"]
    assert shown["message"]["text"] == "Yes, in navy blue."
    assert shown["message"]["from"] == "agent" and shown["message"]["author"] == agent.name.split()[0]


def test_a_reconnecting_widget_gets_what_it_missed_once_and_a_resent_message_is_stored_once(parley_server, chat_inbox, agent, run_async):
    _, api_token = api_token_create(user=agent, name="desk")
    token = session(parley_server, chat_inbox).json()["token"]

    async def scenario():
        async with visitor_socket(parley_server, chat_inbox, token) as widget:
            await widget.send(json.dumps({"action": "message", "text": "Hello?", "client_id": "same"}))
            first = (await next_frame(widget, "ack"))["message"]
        # Offline: two replies come in, and the widget resends its message as it never saw the ack.
        for text in ("Hi there", "Are you still there?"):
            await asyncio.to_thread(agent_reply, parley_server, api_token, first["conversation_id"], text)
        async with visitor_socket(parley_server, chat_inbox, token) as widget:
            await widget.send(json.dumps({"action": "message", "text": "Hello?", "client_id": "same"}))
            again = (await next_frame(widget, "ack"))["message"]
            await widget.send(json.dumps({"action": "resume", "after": first["id"]}))
            missed = (await next_frame(widget, "history"))["messages"]
        return first, again, missed

    first, again, missed = run_async(scenario())
    assert again["id"] == first["id"]
    assert [m["text"] for m in missed] == ["Hi there", "Are you still there?"]
    assert Message.objects.filter(conversation_id=first["conversation_id"], direction="in").count() == 1


def test_a_reload_resumes_the_whole_history_with_the_stored_token(parley_server, chat_inbox, run_async):
    token = session(parley_server, chat_inbox).json()["token"]
    again = session(parley_server, chat_inbox, token=token).json()["token"]

    async def scenario():
        async with visitor_socket(parley_server, chat_inbox, token) as widget:
            await widget.send(json.dumps({"action": "message", "text": "One", "client_id": "1"}))
            await next_frame(widget, "ack")
        async with visitor_socket(parley_server, chat_inbox, again) as widget:
            await widget.send(json.dumps({"action": "resume", "after": 0}))
            return (await next_frame(widget, "history"))["messages"]

    assert [m["text"] for m in run_async(scenario())] == ["One"]


def test_pages_from_other_sites_are_refused_on_http_and_on_the_socket(parley_server, chat_inbox, run_async):
    refused = session(parley_server, chat_inbox, origin="https://evil.example")
    assert refused.status_code == 403
    assert "allowed origins" in refused.json()["message"]
    assert "access-control-allow-origin" not in refused.headers
    token = session(parley_server, chat_inbox).json()["token"]

    async def scenario(origin):
        async with visitor_socket(parley_server, chat_inbox, token, origin=origin):
            pass

    with pytest.raises(InvalidStatus) as socket_refused:
        run_async(scenario("https://evil.example"))
    assert socket_refused.value.response.status_code == 403


def test_a_forged_token_is_refused_and_one_visitor_cannot_read_or_rate_another_visitors_chat(parley_server, chat_inbox, run_async):
    ana = session(parley_server, chat_inbox).json()["token"]
    ben = session(parley_server, chat_inbox).json()["token"]

    async def scenario():
        async with visitor_socket(parley_server, chat_inbox, ana) as widget:
            await widget.send(json.dumps({"action": "message", "text": "My address is 12 Harbour Road", "client_id": "a"}))
            conversation_id = (await next_frame(widget, "ack"))["message"]["conversation_id"]
        async with visitor_socket(parley_server, chat_inbox, ben) as widget:
            await widget.send(json.dumps({"action": "resume", "after": 0}))
            history = (await next_frame(widget, "history"))["messages"]
            await widget.send(json.dumps({"action": "rate", "conversation_id": conversation_id, "score": 1}))
            error = await next_frame(widget, "error")
        return history, error

    history, error = run_async(scenario())
    assert history == []
    assert error["code"] == "refused" and error["message"] == "No such chat."

    async def forged():
        async with visitor_socket(parley_server, chat_inbox, ana[:-2] + "xx"):
            pass

    with pytest.raises(InvalidStatus):
        run_async(forged())


def test_oversized_and_malformed_frames_get_an_error_frame_and_the_socket_keeps_working(parley_server, chat_inbox, run_async):
    token = session(parley_server, chat_inbox).json()["token"]

    async def scenario():
        async with visitor_socket(parley_server, chat_inbox, token) as widget:
            await widget.send(json.dumps({"action": "message", "text": "x" * 30_000, "client_id": "big"}))
            too_large = await next_frame(widget, "error")
            await widget.send("not json")
            bad = await next_frame(widget, "error")
            await widget.send(json.dumps({"action": "message", "text": "y" * 5001, "client_id": "long"}))
            too_long = await next_frame(widget, "error")
            await widget.send(json.dumps({"action": "message", "text": "still here", "client_id": "ok"}))
            ack = await next_frame(widget, "ack")
        return too_large, bad, too_long, ack

    too_large, bad, too_long, ack = run_async(scenario())
    assert too_large["code"] == "too_large"
    assert bad["code"] == "bad_frame"
    assert too_long["code"] == "refused" and too_long["client_id"] == "long" and "5000 characters" in too_long["message"]
    assert ack["message"]["text"] == "still here"


def test_a_german_visitor_is_told_in_german_why_a_frame_was_refused(parley_server, chat_inbox, run_async):
    token = session(parley_server, chat_inbox).json()["token"]

    async def scenario():
        async with visitor_socket(parley_server, chat_inbox, token, language="de-DE,de;q=0.9") as widget:
            await widget.send("not json")
            bad = await next_frame(widget, "error")
            await widget.send(json.dumps({"action": "message", "text": "y" * 5001, "client_id": "long"}))
            too_long = await next_frame(widget, "error")
        return bad, too_long

    bad, too_long = run_async(scenario())
    assert bad["code"] == "bad_frame" and bad["message"] == "Ein Frame ist ein JSON-Objekt mit einer Aktion."
    # Refused by the service, in the worker thread the socket hands the database work to.
    assert too_long["code"] == "refused" and too_long["message"] == "Eine Chat-Nachricht fasst höchstens 5000 Zeichen."
    assert too_long["extra"] == {"text": "too long"}


def test_a_visitor_flooding_the_socket_is_slowed_down_with_an_error_frame(parley_server, chat_inbox, run_async):
    from parley.channels.chat.limits import VISITOR_FRAMES

    token = session(parley_server, chat_inbox).json()["token"]

    async def scenario():
        async with visitor_socket(parley_server, chat_inbox, token) as widget:
            for _ in range(VISITOR_FRAMES + 5):
                await widget.send(json.dumps({"action": "ping"}))
            return await next_frame(widget, "error")

    limited = run_async(scenario())
    assert limited["code"] == "rate_limited"


def test_typing_shows_both_ways(parley_server, chat_inbox, agent, run_async):
    token = session(parley_server, chat_inbox).json()["token"]
    cookie = agent_cookie(agent)

    async def scenario():
        async with agent_socket(parley_server, cookie) as desk, visitor_socket(parley_server, chat_inbox, token) as widget:
            await widget.send(json.dumps({"action": "message", "text": "Hi", "client_id": "t"}))
            conversation_id = (await next_frame(widget, "ack"))["message"]["conversation_id"]
            await desk.send(json.dumps({"action": "view", "conversation_id": conversation_id}))
            await next_frame(desk, "presence")
            await widget.send(json.dumps({"action": "typing", "typing": True}))
            customer_typing = await next_frame(desk, "typing")
            await desk.send(json.dumps({"action": "typing", "typing": True}))
            agent_typing = await next_frame(widget, "typing")
            return conversation_id, customer_typing, agent_typing

    conversation_id, customer_typing, agent_typing = run_async(scenario())
    assert customer_typing["payload"] == {"conversation_id": conversation_id, "name": "", "typing": True}
    assert agent_typing == {"event": "typing", "typing": True, "name": agent.name.split()[0]}


def _end_chat_in_the_workspace(base: str, cookie: str, conversation_id: int) -> None:
    """Press the customer panel's End chat button, as the agent's browser would post it."""
    import httpx

    name, value = cookie.split("=", 1)
    with httpx.Client(base_url=base, cookies={name: value}) as desk:
        assert desk.get(f"/c/{conversation_id}/").status_code == 200
        ended = desk.post(f"/chat/c/{conversation_id}/end/", data={"csrfmiddlewaretoken": desk.cookies["csrftoken"]},
                          headers={"Referer": f"{base}/c/{conversation_id}/"})
        assert ended.status_code == 302, ended.text


def _chat_ended_by_the_agent(parley_server, chat_inbox, agent, run_async, *, survey: bool, rating: int | None = None):
    """A visitor writes and the agent ends the chat in the workspace; the widget then waits for the end (and the
    survey's card if `survey`), and rates the chat if `rating`. Returns (conversation id, {"ended", "survey", "rated"})."""
    token = session(parley_server, chat_inbox).json()["token"]
    cookie = agent_cookie(agent)

    async def scenario():
        async with visitor_socket(parley_server, chat_inbox, token) as widget:
            await widget.send(json.dumps({"action": "message", "text": "Thanks, that's all", "client_id": "bye"}))
            conversation_id = (await next_frame(widget, "ack"))["message"]["conversation_id"]
            await asyncio.to_thread(_end_chat_in_the_workspace, parley_server, cookie, conversation_id)
            # The survey is sent as the chat is solved: its card and the end come in either order.
            seen = {}
            while "ended" not in seen or (survey and "survey" not in seen):
                frame = json.loads(await asyncio.wait_for(widget.recv(), FRAME_TIMEOUT_SECONDS))
                if frame.get("event") == "message" and "survey" in frame["message"]:
                    seen["survey"] = frame["message"]["survey"]
                elif frame.get("event") == "ended":
                    seen["ended"] = frame
            if rating:
                await widget.send(json.dumps({"action": "rate", "conversation_id": conversation_id, "score": rating}))
                seen["rated"] = await next_frame(widget, "rated")
            return conversation_id, seen

    return run_async(scenario())


def test_with_csat_surveys_off_an_ended_chat_asks_the_widget_for_a_rating_which_is_stored(
        parley_server, chat_inbox, agent, run_async):
    from parley.channels.chat.models import ChatRating
    from parley.surveys.models import Survey, SurveySettings

    SurveySettings.objects.update_or_create(pk=1, defaults={"csat_enabled": False})

    conversation_id, seen = _chat_ended_by_the_agent(parley_server, chat_inbox, agent, run_async, survey=False, rating=4)

    assert seen["ended"] == {"event": "ended", "conversation_id": conversation_id, "rate": True}
    assert ChatRating.objects.get(conversation_id=conversation_id).score == 4
    assert not Survey.objects.filter(conversation_id=conversation_id).exists()


def test_with_csat_surveys_on_an_ended_chat_asks_once_with_the_survey_card_and_no_rating_of_its_own(
        parley_server, chat_inbox, agent, run_async):
    conversation_id, seen = _chat_ended_by_the_agent(parley_server, chat_inbox, agent, run_async, survey=True)

    assert seen["ended"] == {"event": "ended", "conversation_id": conversation_id, "rate": False}
    assert seen["survey"]["question"] == "How would you rate the support you received?" and seen["survey"]["score"] is None


def test_replies_the_visitor_has_seen_are_marked_read_for_the_agent(parley_server, chat_inbox, agent, run_async):
    _, api_token = api_token_create(user=agent, name="desk")
    token = session(parley_server, chat_inbox).json()["token"]

    async def scenario():
        async with visitor_socket(parley_server, chat_inbox, token) as widget:
            await widget.send(json.dumps({"action": "message", "text": "Hi", "client_id": "r"}))
            conversation_id = (await next_frame(widget, "ack"))["message"]["conversation_id"]
            replies = [await asyncio.to_thread(agent_reply, parley_server, api_token, conversation_id, text) for text in ("One", "Two")]
            await next_frame(widget, "message", lambda f: f["message"]["id"] == replies[-1]["id"])
            await widget.send(json.dumps({"action": "seen", "message_id": replies[0]["id"]}))
            await widget.send(json.dumps({"action": "ping"}))
            await next_frame(widget, "pong")  # frames are handled in order: the receipt is stored
            return replies

    first, second = run_async(scenario())
    assert Message.objects.get(pk=first["id"]).delivery_status == "read"
    assert Message.objects.get(pk=second["id"]).delivery_status != "read"
