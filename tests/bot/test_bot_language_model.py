"""The optional language-model writer, against a local server speaking OpenAI's chat-completions wire format.

The fake stands in for a paid remote API: it accepts POST /v1/chat/completions with a JSON body
{"model", "messages": [{"role", "content"}…]} and answers {"id", "object": "chat.completion",
"choices": [{"index", "message": {"role": "assistant", "content"}, "finish_reason"}], "usage"},
as the provider documents it.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from parley.bot.models import BotTurn


class ChatCompletions(BaseHTTPRequestHandler):
    requests: list = []
    answer = "Open Orders and click Track parcel to follow it on the carrier's map [1]."
    status = 200

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        payload = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": self.answer}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        data = json.dumps(payload if self.status == 200 else {"error": {"message": "overloaded"}}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def chat_server(settings):
    ChatCompletions.requests = []
    ChatCompletions.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatCompletions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PARLEY_BOT_LLM_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.PARLEY_BOT_LLM_API_KEY = "sk-test"
    settings.PARLEY_BOT_LLM_MODEL = "small-model"
    yield ChatCompletions
    server.shutdown()
    server.server_close()


def test_the_endpoint_writes_the_answer_from_the_retrieved_articles_only(bot_inbox, customer_says, chat_server):
    message = customer_says(bot_inbox, "How can I see where my package is?")

    [call] = chat_server.requests
    assert call["path"] == "/v1/chat/completions" and call["auth"] == "Bearer sk-test"
    assert call["body"]["model"] == "small-model"
    system, user = call["body"]["messages"]
    assert "only the numbered articles" in system["content"]
    assert "[1] Track your order" in user["content"] and "How can I see where my package is?" in user["content"]
    reply = message.conversation.messages.filter(direction="out").first().text
    assert reply.startswith("Open Orders and click Track parcel") and "/portal/help/a/track-your-order/" in reply
    assert BotTurn.objects.get(message=message).outcome == "answered"


def test_when_the_endpoint_fails_the_bot_quotes_the_article_instead(bot_inbox, customer_says, chat_server):
    chat_server.status = 503

    message = customer_says(bot_inbox, "How can I see where my package is?")

    reply = message.conversation.messages.filter(direction="out").first().text
    assert reply.startswith("Track your order:") and len(chat_server.requests) == 1
