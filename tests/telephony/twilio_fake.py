"""A local fake of Twilio's documented REST API (2010-04-01), a real HTTP server in a thread.

Twilio is a paid remote API, so the tests run against this instead. It speaks the
documented wire format: form-encoded POSTs to /2010-04-01/Accounts/<AccountSid>/Messages.json
and Calls.json with HTTP Basic auth (account SID and auth token), answered 201 with the
resource's JSON (sid, status "queued" …) or an error body {"code", "message", "more_info",
"status"}; media URLs are served to the same credentials.
"""
import base64
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "f" * 32


class FakeTwilio:
    def __init__(self):
        self.requests: list[dict] = []
        self.media: dict[str, tuple[str, bytes]] = {}
        #: Set to (status, code, message) to make the next resource creation fail as Twilio would.
        self.refuse: tuple[int, int, str] | None = None
        self._sids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def add_media(self, path: str, content_type: str, content: bytes) -> str:
        self.media[path] = (content_type, content)
        return self.base_url + path

    def created(self, resource: str) -> list[dict]:
        return [r["form"] for r in self.requests if r["resource"] == resource]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _authorised(self) -> bool:
                expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
                if self.headers.get("Authorization") == expected:
                    return True
                self._answer(401, {"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003",
                                   "status": 401})
                return False

            def _answer(self, status: int, body: dict | bytes, content_type: str = "application/json"):
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                if not self._authorised():
                    return
                if self.path not in fake.media:
                    return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
                content_type, content = fake.media[self.path]
                self._answer(200, content, content_type)

            def do_POST(self):
                if not self._authorised():
                    return
                # A repeated parameter (MediaUrl, one per picture) is kept as the list it is.
                form = {k: v[0] if len(v) == 1 else v
                        for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                prefix = f"/2010-04-01/Accounts/{ACCOUNT_SID}/"
                resource = self.path.removeprefix(prefix).removesuffix(".json")
                if not self.path.startswith(prefix) or resource not in ("Messages", "Calls"):
                    return self._answer(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
                fake.requests.append({"resource": resource, "form": form})
                if fake.refuse:
                    status, code, message = fake.refuse
                    fake.refuse = None
                    return self._answer(status, {"code": code, "message": message,
                                                 "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status})
                number = next(fake._sids)
                if resource == "Messages":
                    body = {"sid": f"SM{number:032x}", "account_sid": ACCOUNT_SID, "to": form.get("To"), "from": form.get("From"),
                            "body": form.get("Body"), "status": "queued", "num_segments": "1", "direction": "outbound-api"}
                else:
                    body = {"sid": f"CA{number:032x}", "account_sid": ACCOUNT_SID, "to": form.get("To"), "from": form.get("From"),
                            "status": "queued", "direction": "outbound-api"}
                self._answer(201, body)

        return Handler
