"""Live chat at load: concurrent visitor sockets, messages/s, visitor→agent latency, memory per socket, widget size.

Starts Parley (one uvicorn process; with --redis-url a second one, agents on it, visitors on
the first), opens --visitors widget sockets in steps, then sends --messages visitor messages
at --rate per second from distinct visitors while an agent's workspace socket listens.
Latency is from the visitor's send to the agent's `message.received`.
"""
import argparse
import asyncio
import gzip
import json
import os
import sys
import time
from pathlib import Path

import harness
from ingest import Servers
from websockets.asyncio.client import connect

WIDGET = harness.ROOT / "parley" / "channels" / "chat" / "static" / "chat" / "widget.js"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare(visitors: int) -> tuple[str, list[str], str]:
    """Create a chat inbox, its visitors and an online agent; return (inbox key, visitor tokens, agent cookie)."""
    from django.db import connections
    from django.test import Client

    from parley.accounts.services import agent_create, agent_set_availability
    from parley.channels.chat.models import ChatVisitor
    from parley.channels.chat.selectors import visitor_token
    from parley.channels.services import inbox_create

    inbox = inbox_create(name=f"Bench chat {time.time_ns()}", kind="chat")
    created = ChatVisitor.objects.bulk_create([ChatVisitor(inbox=inbox) for _ in range(visitors)], batch_size=1000)
    tokens = [visitor_token(ChatVisitor(public_id=v.public_id, inbox=inbox)) for v in created]
    agent = agent_create(email=f"agent-{time.time_ns()}@bench.test", name="Bench Agent")
    agent_set_availability(user=agent, availability="online")
    client = Client()
    client.force_login(agent)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    connections.close_all()
    return inbox.key, tokens, cookie


async def open_visitors(base: str, key: str, tokens: list[str], step: int, pid: int) -> tuple[list, list[list]]:
    """Open one socket per token, `step` at a time, each waiting for its hello; return (sockets, ramp rows)."""
    ws = base.replace("http://", "ws://")
    sockets, rows, failed = [], [], 0
    base_rss = rss_mb(pid)

    async def one(token):
        socket = await connect(f"{ws}/ws/chat/{key}/?token={token}", additional_headers={"Origin": base},
                               open_timeout=60, ping_interval=None)
        await asyncio.wait_for(socket.recv(), 60)
        return socket

    for start in range(0, len(tokens), step):
        began = time.perf_counter()
        results = await asyncio.gather(*(one(t) for t in tokens[start:start + step]), return_exceptions=True)
        sockets += [r for r in results if not isinstance(r, BaseException)]
        failed += sum(isinstance(r, BaseException) for r in results)
        rss = rss_mb(pid)
        per = (rss - base_rss) * 1024 / len(sockets) if sockets else 0
        rows.append([f"{len(sockets):,}", failed, f"{time.perf_counter() - began:.1f} s", f"{rss:.0f} MiB", f"{per:.1f} KiB"])
        harness.progress(f"{len(sockets):,} visitor sockets open, {failed} failed, {rss:.0f} MiB")
    harness.progress_done()
    return sockets, rows


async def exchange(agent_base: str, cookie: str, sockets: list, messages: int, rate: float) -> dict:
    """Send `messages` visitor messages at `rate`/s from distinct sockets; time each until the agent hears it."""
    sent_at, acked, heard, errors, resyncs = {}, {}, {}, {}, [0]
    ws = agent_base.replace("http://", "ws://")
    async with connect(f"{ws}/ws/workspace/", additional_headers={"Origin": agent_base, "Cookie": cookie},
                       ping_interval=None, max_queue=None) as desk:
        async def listen():
            async for raw in desk:
                frame = json.loads(raw)
                if frame.get("event") == "message.received":
                    heard[frame["payload"]["message_id"]] = time.perf_counter()
                elif frame.get("event") == "resync":  # the server dropped events for this socket and says so
                    resyncs[0] += 1

        waiting: dict[str, asyncio.Future] = {}
        readers: dict[int, asyncio.Task] = {}

        async def read(socket):
            # websockets allows one reader per socket, and a visitor may have several messages unacknowledged (the
            # widget does): each ack finds its message by client_id.
            async for raw in socket:
                frame = json.loads(raw)
                if frame.get("event") == "error":
                    errors[frame["code"]] = errors.get(frame["code"], 0) + 1
                if frame.get("event") in ("ack", "error") and frame.get("client_id") in waiting:
                    waiting.pop(frame["client_id"]).set_result(frame["message"]["id"] if frame["event"] == "ack" else None)

        async def send(n, socket):
            client_id = f"b{n}"
            if id(socket) not in readers:
                readers[id(socket)] = asyncio.create_task(read(socket))
            answer = waiting[client_id] = asyncio.get_running_loop().create_future()
            sent_at[client_id] = time.perf_counter()
            await socket.send(json.dumps({"action": "message", "text": f"Where is order {n}?", "client_id": client_id}))
            message_id = await asyncio.wait_for(answer, 60)
            if message_id is not None:
                acked[client_id] = message_id

        listener = asyncio.create_task(listen())
        began, tasks = time.perf_counter(), []
        for n in range(messages):
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(send(n, sockets[n % len(sockets)])))
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, BaseException):
                errors[type(outcome).__name__] = errors.get(type(outcome).__name__, 0) + 1
        deadline = time.perf_counter() + 30
        while len(heard) < len(acked) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - began
        listener.cancel()
        for reader in readers.values():
            reader.cancel()
    latencies = [heard[mid] - sent_at[cid] for cid, mid in acked.items() if mid in heard]
    return {"sent": messages, "acknowledged": len(acked), "heard by agent": len(latencies),
            "messages/s": f"{len(latencies) / elapsed:.1f}",
            "latency p50": f"{harness.percentile(latencies, 50) * 1000:.1f} ms",
            "latency p99": f"{harness.percentile(latencies, 99) * 1000:.1f} ms",
            "resyncs told": resyncs[0], "errors": ", ".join(f"{code}: {n}" for code, n in sorted(errors.items())) or "none"}


def widget_size() -> list[list]:
    raw = WIDGET.read_bytes()
    return [["widget.js", f"{len(raw) / 1024:.1f} KiB", f"{len(gzip.compress(raw, 9)) / 1024:.1f} KiB"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=1000, help="visitor sockets to open")
    parser.add_argument("--step", type=int, default=250, help="sockets opened at once while ramping")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200, help="visitor messages per second")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="", help="Redis: two server processes, visitors on one, the agent on the other")
    parser.add_argument("--data-dir", help="data dir (default: a new temp dir)")
    parser.add_argument("--ws", default="websockets-sansio", choices=["websockets-sansio", "websockets"],
                        help="uvicorn's WebSocket implementation; websockets-sansio is what `parley serve` gets")
    parser.add_argument("--deflate", action="store_true",
                        help="offer permessage-deflate to clients (uvicorn's default; `parley serve` turns it off)")
    args = parser.parse_args()

    data_dir = harness.data_dir(args.data_dir)
    env = {**harness.environment(data_dir=data_dir, database_url=args.database_url, redis_url=args.redis_url),
           "PARLEY_CHAT_IP_FRAMES": str(10 * args.visitors + args.messages * 10)}
    harness.django_setup(env)
    key, tokens, cookie = prepare(args.visitors)
    servers = Servers(env, data_dir)
    try:
        options = ("--ws", args.ws, "--ws-per-message-deflate", str(args.deflate).lower())
        visitor_base = servers.uvicorn("visitors", "parley.asgi:application", workers=1, ready_path="/login/", options=options)
        agent_base = (servers.uvicorn("agents", "parley.asgi:application", workers=1, ready_path="/login/", options=options)
                      if args.redis_url else visitor_base)
        pid = servers.processes[0][1].pid

        async def run():
            sockets, ramp = await open_visitors(visitor_base, key, tokens, args.step, pid)
            result = await exchange(agent_base, cookie, sockets, args.messages, args.rate)
            for socket in sockets:
                await socket.close()
            return ramp, result

        ramp, result = asyncio.run(run())
    finally:
        servers.stop()
    layer = "Redis, two processes" if args.redis_url else "embedded default, one process"
    load1, load5, _ = os.getloadavg()
    print(f"\n## Chat: {args.visitors:,} visitors, {args.messages:,} messages at {args.rate:.0f}/s ({layer}, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}, --ws {args.ws}; load average {load1:.1f}, {load5:.1f})\n")
    harness.print_table(["sockets open", "failed", "step took", "server RSS", "RSS per socket"], ramp)
    print()
    harness.print_table(list(result), [list(result.values())])
    print()
    harness.print_table(["file", "raw", "gzip -9"], widget_size())


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
