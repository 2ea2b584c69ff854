"""Turn what an agent typed into a safe, backend-neutral search query."""
import re
import unicodedata
from dataclasses import dataclass

from parley.core.phones import phone_in_text

#: Only this much of the input is read: a pasted novel is not a search.
MAX_INPUT_CHARS = 1000
MAX_WORDS = 12
MAX_WORD_CHARS = 64
#: Larger numbers cannot be a conversation number (and overflow a 64-bit key).
MAX_NUMBER_DIGITS = 18

EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(\.[\w-]+)+$")


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: a conversation number, a customer's email address and/or words."""

    number: int | None = None
    #: "#1234" names a conversation and nothing else; a bare 1234 may also be an order number in a message.
    number_only: bool = False
    email: str = ""
    #: A phone number in E.164, when what was typed reads as one ("(202) 555-0143").
    phone: str = ""
    words: tuple[str, ...] = ()
    #: Whether the last word also matches longer words (the agent may still be typing it).
    prefix: bool = False

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.email and not self.words


def parse_query(text: str) -> SearchQuery:
    """Read `text` into a SearchQuery; operators, quotes and symbols are dropped, never interpreted."""
    text = text[:MAX_INPUT_CHARS].strip()
    phone = phone_in_text(text) or ""
    number_text = text[1:] if text.startswith("#") else text
    if number_text.isascii() and number_text.isdigit() and len(number_text) <= MAX_NUMBER_DIGITS:
        return SearchQuery(number=int(number_text), number_only=text.startswith("#"), words=(number_text,),
                           phone="" if text.startswith("#") else phone)
    if EMAIL.match(text):
        return SearchQuery(email=text.lower())
    words = tuple(word[:MAX_WORD_CHARS] for word in _words(text)[:MAX_WORDS])
    return SearchQuery(words=words, phone=phone, prefix=bool(words) and not words[-1].isdigit())


def _words(text: str) -> list[str]:
    # Letters, marks and digits of any script survive; everything a query language could read as syntax goes.
    return "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text).lower().split()
