"""The one help-center search: full text, semantic, or both (hybrid, the default).

`search_articles(text, locale=…)` returns the best published translations in that locale with
a score from 0 to 1 and a highlighted snippet. Full text finds the words (FTS5 or PostgreSQL);
the semantic side compares the question's sentence embedding with every article's stored one
(a matrix product, kept in memory per process until the index changes). Hybrid adds both: the
words keep exact matches on top, the embedding finds articles that say it differently. Without
the embedding model every mode falls back to full text.
"""
import functools
import html
import re
import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from parley.knowledge.models import ArticleStatus, ArticleTranslation, IndexGeneration
from parley.knowledge.search import embeddings, fulltext
from parley.search.query import parse_query

MODES = ("fulltext", "semantic", "hybrid")
#: How many candidates each side brings before they are combined.
CANDIDATES = 30
#: In a hybrid score the embedding weighs this much, the words the rest.
SEMANTIC_WEIGHT = 0.6
SNIPPET_CHARS = 180
#: A word in more than this share of a locale's published articles, and in more than COMMON_MIN_ARTICLES, is common:
#: it tells articles apart little, and scoring every article that holds it is what makes a search slow (about 2 µs an
#: article on either database: 35 ms for "order" in 17 500 of 50 000). The full-text side ranks on a question's rarer
#: words. Under the floor scoring is cheap and a small help center's words are all in a few articles: nothing changes.
COMMON_SHARE = 0.05
COMMON_MIN_ARTICLES = 1000
#: A question of common words only scores the first this many articles (by id) holding them.
MAX_RANKED = 1000
#: Below this score an article is not an answer: every article has some cosine to any text, and off-topic
#: questions ("what is the weather tomorrow") score under 0.2 on the question set, answered ones 0.6 on average.
MIN_SCORE = 0.2
#: Words too common to tell articles apart; dropped from the full-text side (the embedding reads everything).
STOP_WORDS = frozenset("""
a an and are as at be been but by can could do does did for from had has have how i i'm if in into is it its me my
no not of on or our please so that the their them then there these they this to was we were what when where which
who why will with would you your yours am about any get got just need want help hi hello thanks thank
der die das und ist ich nicht ein eine mein meine wie was wo wer zu mit den dem des im bitte kann
le la les un une et est je ne pas mon ma mes comment quoi où qui de du des en avec pour
el la los las un una y es yo no mi mis como qué dónde quién de del en con para
""".split())


@dataclass(frozen=True)
class Hit:
    translation: ArticleTranslation
    score: float
    snippet: SafeString


def query_words(text: str) -> tuple[list[str], bool]:
    """Return the searchable words of `text` and whether the last one may be unfinished."""
    query = parse_query(text)
    words = [w for w in query.words if w not in STOP_WORDS]
    return words, bool(words) and query.prefix and words[-1] == query.words[-1]


def search_articles(text: str, *, locale: str, limit: int = 10, mode: str = "hybrid") -> list[Hit]:
    """Return up to `limit` published translations in `locale` answering `text`, best first."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    text = text.strip()
    if not text:
        return []
    words, prefix = query_words(text)
    generation = current_generation()
    lexical = _lexical(words, prefix, locale, generation) if mode != "semantic" else {}
    semantic = _semantic(text, locale, generation) if mode != "fulltext" else {}
    if mode == "semantic" and not semantic and embeddings.model() is None:
        lexical = _lexical(words, prefix, locale, generation)
    ids = set(lexical) | set(semantic)
    if not ids:
        return []
    # Status is checked here rather than in SQL: a status condition lets SQLite walk every published article.
    translations = {t.pk: t for t in ArticleTranslation.objects.filter(pk__in=ids)
                    .select_related("article", "article__section", "article__section__category")
                    .only("locale", "title", "plain", "article__slug", "article__status", "article__tags",
                          "article__section__name", "article__section__category__name")
                    if t.article.status == ArticleStatus.PUBLISHED}
    best_lexical = max(lexical.values(), default=0) or 1.0
    scored = []
    for pk, translation in translations.items():
        words_score = lexical.get(pk, 0.0) / best_lexical * _coverage(words, translation)
        if mode == "semantic" and semantic:
            score = max(semantic.get(pk, 0.0), 0.0)
        elif semantic:
            score = SEMANTIC_WEIGHT * max(semantic.get(pk, 0.0), 0.0) + (1 - SEMANTIC_WEIGHT) * words_score
        else:
            score = words_score
        if score >= MIN_SCORE:
            scored.append((score, pk, translation))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [Hit(translation, round(score, 4), snippet(translation.plain, words)) for score, _, translation in scored[:limit]]


def _lexical(words: list[str], prefix: bool, locale: str, generation: int) -> dict[int, float]:
    """Return the full-text candidates: ranked on the question's rarer words if it has any, else on all its words.

    With only common words, the articles holding every one are ranked, or those holding any when none holds them
    all; either way only the first MAX_RANKED. Words no article holds are left out, so they neither count as
    rarer nor empty an every-word search.
    """
    if not words:
        return {}
    last = len(words) - 1
    cap = max(int(COMMON_SHARE * _published_count(generation, locale)), COMMON_MIN_ARTICLES) + 1
    counts = [_match_count(generation, locale, word, prefix and n == last, cap) for n, word in enumerate(words)]
    rare = [n for n, count in enumerate(counts) if 0 < count < cap]
    chosen = rare or [n for n, count in enumerate(counts) if count]
    if not chosen:
        return {}
    rank = functools.partial(fulltext.search, connection, [words[n] for n in chosen], prefix=prefix and chosen[-1] == last,
                             locale=locale, limit=CANDIDATES)
    if rare:
        return dict(rank())
    hits = rank(every=True, first=MAX_RANKED) if len(chosen) > 1 else []
    return dict(hits or rank(first=MAX_RANKED))


# Both caches are keyed on the index generation, which moves on every change to the index: the database is asked
# once per word and generation, not on every search.
@functools.lru_cache(maxsize=64)
def _published_count(generation: int, locale: str) -> int:
    return ArticleTranslation.objects.filter(locale=locale, article__status=ArticleStatus.PUBLISHED).count()


@functools.lru_cache(maxsize=4096)
def _match_count(generation: int, locale: str, word: str, prefix: bool, cap: int) -> int:
    # Counting the matches themselves, stopped just past "common" (up to 6 ms at 50 000 articles, once), gives what
    # the search will match: this locale's, the word stemmed as the database stems it, a prefix as a prefix. FTS5's
    # vocabulary table (fts5vocab) answers in 0.1 ms but counts every locale and wants the Porter stem, which
    # Python does not have; PostgreSQL's statistics (most_common_elems) also mix locales and age until ANALYZE.
    return fulltext.count_matches(connection, word, prefix=prefix, locale=locale, cap=cap)


def _stem(word: str) -> str:
    return word[:max(4, len(word) - 2)]


def _coverage(words: list[str], translation: ArticleTranslation) -> float:
    """Return the share of `words` found in the translation (by their stem), so one stray match scores low."""
    if not words:
        return 0.0
    haystack = f"{translation.title} {' '.join(translation.article.tags)} {translation.plain}".lower()
    return sum(1 for word in words if _stem(word) in haystack) / len(words)


_HIGHLIGHT_CACHE: dict[tuple[str, ...], re.Pattern] = {}


def snippet(plain: str, words: list[str]) -> SafeString:
    """Return an escaped excerpt of `plain` around the first query word, each query word in <mark>."""
    if not words:
        return mark_safe(html.escape(plain[:SNIPPET_CHARS]))
    pattern = _HIGHLIGHT_CACHE.get(tuple(words))
    if pattern is None:
        pattern = re.compile(r"\b(" + "|".join(re.escape(_stem(w)) for w in words) + r")\w*", re.IGNORECASE)
        _HIGHLIGHT_CACHE[tuple(words)] = pattern
    first = pattern.search(plain)
    start = max(0, (first.start() if first else 0) - SNIPPET_CHARS // 3)
    if start:
        start = plain.find(" ", start) + 1 or start
    excerpt = plain[start:start + SNIPPET_CHARS]
    parts, last = [], 0
    for match in pattern.finditer(excerpt):
        parts.append(html.escape(excerpt[last:match.start()]))
        parts.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(html.escape(excerpt[last:]))
    return mark_safe(("…" if start else "") + "".join(parts) + ("…" if start + SNIPPET_CHARS < len(plain) else ""))


# --- the semantic side ------------------------------------------------------------------------------

class _Vectors:
    """Each locale's article vectors, loaded once per index generation and shared by the process's threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_locale: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}

    def get(self, locale: str, generation: int) -> tuple[np.ndarray, np.ndarray]:
        cached = self._by_locale.get(locale)
        if cached is None or cached[0] != generation:
            with self._lock:
                rows = list(ArticleTranslation.objects.filter(locale=locale, article__status=ArticleStatus.PUBLISHED)
                            .exclude(embedding=b"").values_list("pk", "embedding"))
                ids = np.array([pk for pk, _ in rows], dtype=np.int64)
                matrix = (np.vstack([embeddings.from_bytes(data) for _, data in rows]) if rows
                          else np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32))
                cached = (generation, ids, matrix)
                self._by_locale[locale] = cached
        return cached[1], cached[2]


_vectors = _Vectors()


def current_generation() -> int:
    return IndexGeneration.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def _semantic(text: str, locale: str, generation: int) -> dict[int, float]:
    question = embeddings.embed([text])
    if question is None:
        return {}
    ids, matrix = _vectors.get(locale, generation)
    if not len(ids):
        return {}
    similarities = matrix @ question[0]
    best = np.argpartition(-similarities, min(CANDIDATES, len(ids) - 1))[:CANDIDATES]
    return {int(ids[i]): float(similarities[i]) for i in best}
