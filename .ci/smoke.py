"""Smoke-test an installed Parley (no test extras) the way an operator runs it: serve, a message in, a reply out.

Run with the Python of a fresh virtualenv into which `pip install .` installed Parley; DATABASE_URL
and REDIS_URL point at the at-scale services. Exits non-zero, saying why, on the first failure.
"""
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time

import httpx

TIMEOUT_SECONDS = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django_shell(env: dict, code: str) -> str:
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], env=env,
                            capture_output=True, text=True, timeout=120)
    if result.returncode:
        sys.exit(f"smoke: Django code failed:\n{result.stderr}")
    return result.stdout.strip()


def wait_for(what: str, check):
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    sys.exit(f"smoke: timed out waiting for {what}")


def main() -> None:
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="parley-smoke-")
    env = {**os.environ, "PARLEY_DATA_DIR": data_dir, "PARLEY_SECRET_KEY": secrets.token_urlsafe(40),
           "DJANGO_SETTINGS_MODULE": "parley.settings"}
    if not env.get("DATABASE_URL") or not env.get("REDIS_URL"):
        sys.exit("smoke: set DATABASE_URL and REDIS_URL")
    parley = os.path.join(os.path.dirname(sys.executable), "parley")
    subprocess.run([parley, "migrate", "--verbosity", "0"], env=env, check=True)
    token, inbox_id = django_shell(env, (
        "from parley.accounts.services import agent_create, api_token_create\n"
        "from parley.channels.services import inbox_create\n"
        "agent = agent_create(email=f'smoke-{__import__(\"uuid\").uuid4().hex}@example.test', name='Smoke', password='smoke-pass-1', role='admin')\n"
        "_, secret = api_token_create(user=agent, name='smoke')\n"
        "print(secret, inbox_create(name='Smoke API', kind='api').pk)")).split()
    server = subprocess.Popen([parley, "serve", "--no-demo", "--port", str(port)], env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        headers = {"Authorization": f"Bearer {token}"}
        wait_for("the server", lambda: _answers(base + "/openapi.json"))
        posted = httpx.post(f"{base}/inboxes/{inbox_id}/messages", headers=headers, timeout=30,
                            json={"contact": {"source_id": "smoke-1", "name": "Sam Smoke"}, "text": "Does it work?",
                                  "idempotency_key": secrets.token_hex(8)})
        if posted.status_code not in (200, 202):
            sys.exit(f"smoke: posting a message answered {posted.status_code}: {posted.text}")
        envelope_id = posted.json()["envelope_id"]

        def processed():
            page = httpx.get(f"{base}/inboxes/{inbox_id}/envelopes", headers=headers, timeout=30).json()
            found = next((e for e in page["items"] if e["id"] == envelope_id), None)
            return found if found and found["status"] == "processed" else None

        message_id = wait_for("the worker to process the message", processed)["message_id"]
        conversation_id = httpx.get(f"{base}/conversations?limit=1", headers=headers, timeout=30).json()["items"][0]["id"]
        reply = httpx.post(f"{base}/conversations/{conversation_id}/messages", headers=headers, timeout=30,
                           json={"kind": "reply", "text": "It does."})
        if reply.status_code != 201:
            sys.exit(f"smoke: replying answered {reply.status_code}: {reply.text}")

        def sent():
            timeline = httpx.get(f"{base}/conversations/{conversation_id}/messages", headers=headers, timeout=30).json()
            mine = next(m for m in timeline["items"] if m["id"] == reply.json()["id"])
            return mine["delivery_status"] in ("sent", "delivered") and mine

        wait_for("the worker to deliver the reply", sent)
        print(f"smoke: ok (message {message_id} processed, reply delivered, on {env['DATABASE_URL'].split('@')[-1]} + Redis)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
