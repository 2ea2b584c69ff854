"""Which web pages may talk to a chat inbox: its allowed origins, and Parley's own pages."""
from urllib.parse import urlsplit


def origin_allowed(inbox, origin: str, host: str) -> bool:
    """Tell whether a page at `origin` (the browser's Origin header) may use this inbox's widget.

    `host` is the Host the request reached Parley on: a page of Parley itself (the demo shop)
    is same-origin and always allowed.
    """
    origin = (origin or "").strip().rstrip("/").lower()
    if not origin:
        return False
    if urlsplit(origin).netloc == (host or "").lower():
        return True
    return origin in inbox.settings.get("allowed_origins", [])
