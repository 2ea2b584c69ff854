"""Which uploaded bytes are images Parley serves from its own origin: raster formats only, told by their bytes."""

#: An SVG can carry script, and uploads are served from Parley's own origin: raster images only.
RASTER_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif", b"RIFF": "image/webp"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def raster_type(content: bytes) -> str | None:
    """Return the content type of a PNG, JPEG, GIF or WebP image from its first bytes, or None for anything else.

    The bytes decide, not the file name or the browser's claim.
    """
    for magic, content_type in RASTER_TYPES.items():
        if content.startswith(magic) and (content_type != "image/webp" or content[8:12] == b"WEBP"):
            return content_type
    return None
