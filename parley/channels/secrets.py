"""Secrets encrypted at rest (inbox credentials, authenticator apps, the single sign-on client secret) with Fernet (AES-128-CBC + HMAC-SHA256), under rotating keys.

A stored secret is the string "fernet:" followed by a Fernet token of the value's JSON, so
any JSON value (a password, a dict of provider options) can be a secret and a stored value
says by itself whether it is encrypted: plaintext written before encryption existed still
reads. `PARLEY_ENCRYPTION_KEYS` lists the keys, the first encrypting and all decrypting;
the key derived from SECRET_KEY always decrypts too, so moving from the default to explicit
keys needs no step but `parley rotate-keys`.
"""
from __future__ import annotations

import base64
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "fernet:"


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys decrypts (a key was dropped too early)."""


def _fernet_key(material: str) -> bytes:
    # Any string is accepted as a key: HKDF turns it into the 32 bytes Fernet needs.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"parley inbox secrets").derive(material.encode())
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=4)
def _keyring(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    materials = [*keys, secret_key] if secret_key not in keys else list(keys)
    return MultiFernet([Fernet(_fernet_key(material)) for material in materials])


def keyring() -> MultiFernet:
    """Return the configured keys: the first encrypts, every one decrypts."""
    return _keyring(tuple(settings.PARLEY_ENCRYPTION_KEYS), settings.SECRET_KEY)


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(value) -> str:
    """Return the stored form of a secret value (any JSON value); an already encrypted one is kept."""
    if is_encrypted(value):
        return value
    return PREFIX + keyring().encrypt(json.dumps(value).encode()).decode()


def decrypt(value):
    """Return the plain value of a stored secret; plaintext (stored before encryption) is returned as it is."""
    if not is_encrypted(value):
        return value
    try:
        return json.loads(keyring().decrypt(value[len(PREFIX):].encode()))
    except InvalidToken:
        raise SecretUnreadable("a stored secret cannot be decrypted with any key in PARLEY_ENCRYPTION_KEYS "
                               "(or the SECRET_KEY); add back the key it was encrypted with") from None


def reencrypt(value) -> str:
    """Return a stored secret encrypted with the first key (plaintext gets encrypted)."""
    if not is_encrypted(value):
        return encrypt(value)
    try:
        return PREFIX + keyring().rotate(value[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("a stored secret cannot be decrypted with any key in PARLEY_ENCRYPTION_KEYS "
                               "(or the SECRET_KEY); add back the key it was encrypted with") from None
