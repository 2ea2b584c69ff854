"""The optional writer: an OpenAI-compatible chat-completions endpoint turns retrieved articles into an answer.

Off unless PARLEY_BOT_LLM_URL is set. The model sees only the articles the search found and is
told to answer from them alone and cite them; any failure (timeout, error, empty answer) makes
the bot fall back to quoting the best article, so the endpoint can never stop an answer.
"""
import logging

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = ("You answer customer questions for a help desk. Answer in at most three sentences, in the language "
                 "of the question, using only the numbered articles given. Cite the article you used as [1], [2]. If the "
                 "articles do not answer the question, reply exactly: NO ANSWER")


def enabled() -> bool:
    return bool(settings.PARLEY_BOT_LLM_URL)


def write_answer(question: str, articles: list[tuple[str, str]]) -> str | None:
    """Return the endpoint's answer to `question` from (title, text) `articles`, or None when it has none or fails."""
    sources = "\n\n".join(f"[{i}] {title}\n{text[:3000]}" for i, (title, text) in enumerate(articles, 1))
    headers = {"Authorization": f"Bearer {settings.PARLEY_BOT_LLM_API_KEY}"} if settings.PARLEY_BOT_LLM_API_KEY else {}
    body = {"model": settings.PARLEY_BOT_LLM_MODEL, "temperature": 0,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": f"Articles:\n{sources}\n\nQuestion: {question}"}]}
    url = settings.PARLEY_BOT_LLM_URL.rstrip("/") + "/chat/completions"
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=settings.PARLEY_BOT_LLM_TIMEOUT)
        response.raise_for_status()
        answer = response.json()["choices"][0]["message"]["content"].strip()
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        logger.warning("the bot's language model endpoint failed, quoting the article instead: %s", exc)
        return None
    return None if not answer or "NO ANSWER" in answer else answer
