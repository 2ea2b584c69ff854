"""The IVR: a tree of menu nodes walked one caller input at a time, rendered as TwiML or as a text preview.

A flow is `start` (a node id) and a list of nodes, each a dict with an `id`, a `type` and the
fields of that type:

| type | fields | what the caller gets |
|---|---|---|
| say | text, next | hears `text`, goes on to `next` |
| play | url, next | hears the recording at `url` (a greeting recorded in a studio), goes on to `next` |
| menu | text, options [{key, words, next, language}] | hears `text` and presses a key or says one of the words |
| hours | open_next, closed_next | goes on by whether the business is open now (voice/hours.py) |
| order_status | field, next | hears the contact's `field` attribute ("order_status"), or that no order was found |
| queue | team | waits in the team's queue; available agents are rung |
| agent | agent | the agent's line is rung; no answer leaves a voicemail |
| voicemail | text | hears `text` and leaves a message |
| callback | text | hears `text` and says or keys when to be called back |
| hangup | text | hears `text`; the call ends |

Walking is pure: `walk` follows nodes that need no input (say, hours, order_status) and stops
at one that does (a menu) or at an ending, so one webhook answers with everything the caller
hears until their next choice. The webhook and the settings preview share it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

NODE_TYPES = {
    "say": "Say something",
    "play": "Play a recording",
    "menu": "Menu (press or say a choice)",
    "hours": "Business-hours branch",
    "order_status": "Order status from the caller's data",
    "queue": "Team queue",
    "agent": "A specific agent",
    "voicemail": "Voicemail",
    "callback": "Call-back request",
    "hangup": "Say goodbye and hang up",
}
ENDINGS = ("queue", "agent", "voicemail", "callback", "hangup")
#: More steps without input than this means the flow loops (say → say → …); the caller is sent to voicemail.
MAX_STEPS = 25
NOT_FOUND = "We could not find an order for this number."


@dataclass
class Walk:
    """What the caller hears until the next input, and where the walk stopped."""

    #: ("say", text) or ("play", audio URL), in order.
    said: list[tuple[str, str]] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    #: The node that stopped the walk: a menu (waits for input) or an ending; None when the flow is broken.
    stop: dict | None = None


@dataclass(frozen=True)
class Caller:
    """What a walk may consult about the call: the contact's attributes and whether the business is open."""

    attributes: dict = field(default_factory=dict)
    is_open: Callable[[], bool] = lambda: True


def node_map(nodes: list[dict]) -> dict[str, dict]:
    return {node["id"]: node for node in nodes}


def walk(nodes: dict[str, dict], node_id: str, caller: Caller) -> Walk:
    """Follow the flow from `node_id` through nodes that need no input; stop at a menu or an ending."""
    result = Walk()
    for _ in range(MAX_STEPS):
        node = nodes.get(node_id)
        if node is None:
            return result
        result.path.append(node_id)
        kind = node["type"]
        if kind == "menu" or kind in ENDINGS:
            result.stop = node
            return result
        if kind == "say":
            result.said.append(("say", node.get("text", "")))
            node_id = node.get("next", "")
        elif kind == "play":
            result.said.append(("play", node.get("url", "")))
            node_id = node.get("next", "")
        elif kind == "hours":
            node_id = node.get("open_next", "") if caller.is_open() else node.get("closed_next", "")
        elif kind == "order_status":
            value = caller.attributes.get(node.get("field") or "order_status")
            result.said.append(("say", f"The status of your order is: {value}." if value else NOT_FOUND))
            node_id = node.get("next", "")
    return result


def choose(menu: dict, *, digits: str = "", speech: str = "") -> dict | None:
    """Return the menu option the caller picked by key or by saying one of its words, or None."""
    digits, heard = (digits or "").strip(), (speech or "").strip().lower()
    for option in menu.get("options", []):
        if digits and digits == str(option.get("key", "")):
            return option
        words = [w.strip().lower() for w in str(option.get("words", "")).split(",") if w.strip()]
        if heard and any(word in heard for word in words):
            return option
    return None


def flow_problems(start: str, nodes: list[dict]) -> dict[str, str]:
    """Return where → what is wrong with a flow (unknown node types, dangling links, duplicate ids); empty when sound."""
    problems: dict[str, str] = {}
    ids = [node.get("id", "") for node in nodes]
    known = set(ids)
    for node_id in {i for i in ids if ids.count(i) > 1}:
        problems[node_id] = "two nodes have this id"
    if start not in known:
        problems["start"] = f"no node is called {start!r}"
    for node in nodes:
        node_id, kind = node.get("id", ""), node.get("type", "")
        if not node_id:
            problems["nodes"] = "every node needs an id"
        if kind not in NODE_TYPES:
            problems[node_id or "nodes"] = f"unknown type {kind!r}"
            continue
        links = {"say": ["next"], "play": ["next"], "order_status": ["next"], "hours": ["open_next", "closed_next"]}.get(kind, [])
        if kind == "play" and not str(node.get("url", "")).startswith(("http://", "https://")):
            problems[node_id] = "a recording needs an http(s) URL"
        targets = [node.get(link, "") for link in links]
        if kind == "menu":
            if not node.get("options"):
                problems[node_id] = "a menu needs at least one option"
            targets += [option.get("next", "") for option in node.get("options", [])]
        for target in targets:
            if target not in known:
                problems[node_id] = f"leads to {target!r}, which is no node"
        needed = {"queue": "team", "agent": "agent"}.get(kind)
        if needed and not node.get(needed):
            problems[node_id] = f"choose the {needed}"
    return problems


def preview(start: str, nodes: list[dict], inputs: list[str], caller: Caller, *, describe_ending: Callable[[dict], str]) -> list[str]:
    """Play the flow as text: what the caller hears and does, for the given key presses or words, in order."""
    by_id, lines, pending = node_map(nodes), [], list(inputs)
    node_id = start
    while True:
        result = walk(by_id, node_id, caller)
        lines += [f"Parley: {value}" if how == "say" else f"Parley plays {value}" for how, value in result.said]
        stop = result.stop
        if stop is None:
            lines.append("(the flow ends here: the node it leads to does not exist)")
            return lines
        if stop["type"] != "menu":
            if stop.get("text"):
                lines.append(f"Parley: {stop['text']}")
            lines.append(describe_ending(stop))
            return lines
        lines.append(f"Parley: {stop.get('text', '')}")
        if not pending:
            lines.append("(waits for the caller's choice)")
            return lines
        given = pending.pop(0)
        lines.append(f"Caller: {given}")
        option = choose(stop, digits=given, speech=given)
        if option is None:
            lines.append("Parley: Sorry, that is not one of the choices.")
            node_id = stop["id"]
        else:
            node_id = option.get("next", "")
