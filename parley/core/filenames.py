"""File names that come from customers and agents: kept only as a label, never as a path on disk."""
import os
import re
import unicodedata
import uuid

#: Long enough for any real document title, short enough for every column and Content-Disposition header.
MAX_DISPLAY_LENGTH = 120
FALLBACK_NAME = "attachment"
_RESERVED = re.compile(r'[<>:"|?*]')
_SAFE_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


def display_filename(name: str | None) -> str:
    """Return `name` fit to show and offer for download: its last path part, no control characters, not empty,
    at most MAX_DISPLAY_LENGTH characters with its extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _RESERVED.sub("_", name).strip(" .\t")
    if not name:
        return FALLBACK_NAME
    if len(name) > MAX_DISPLAY_LENGTH:
        stem, extension = os.path.splitext(name)
        extension = extension if len(extension) <= 16 else ""
        name = stem[:MAX_DISPLAY_LENGTH - len(extension)].rstrip(" .") + extension
    return name


def storage_filename(name: str) -> str:
    """Return a generated name to store a file under: unique, ASCII, with the original's extension when it is plain."""
    extension = os.path.splitext(display_filename(name))[1]
    return uuid.uuid4().hex + (extension.lower() if _SAFE_EXTENSION.match(extension) else "")
