"""A software security key for server-side tests: answers WebAuthn options as a browser and a P-256 key would.

It builds the same JSON the workspace's security_key.js posts (binary fields in base64url), with "none" attestation,
and lets a test choose what a forged or broken answer would carry: another origin, another challenge, an old counter.
"""
import base64
import hashlib
import json
import secrets
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

USER_PRESENT, USER_VERIFIED, ATTESTED_DATA = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftKey:
    def __init__(self, *, counts_signatures: bool = True):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = 0
        self.counts_signatures = counts_signatures

    def _cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def register(self, options: dict, *, origin: str) -> str:
        """Answer registration options (as options_to_json made them): the credential JSON a browser posts."""
        auth_data = (hashlib.sha256(options["rp"]["id"].encode()).digest() + bytes([USER_PRESENT | USER_VERIFIED | ATTESTED_DATA])
                     + struct.pack(">I", 0) + bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
                     + self._cose_public_key())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps({"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                           "response": {"clientDataJSON": b64url(self._client_data("webauthn.create", options["challenge"], origin)),
                                        "attestationObject": b64url(attestation), "transports": ["usb"]},
                           "clientExtensionResults": {}})

    def sign(self, options: dict, *, origin: str, sign_count: int | None = None) -> str:
        """Answer authentication options: the assertion JSON a browser posts. The key counts up unless told a count."""
        if sign_count is None:
            self.sign_count += 1 if self.counts_signatures else 0
            sign_count = self.sign_count
        auth_data = (hashlib.sha256(options["rpId"].encode()).digest() + bytes([USER_PRESENT | USER_VERIFIED])
                     + struct.pack(">I", sign_count))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps({"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                           "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                                        "signature": b64url(signature)},
                           "clientExtensionResults": {}})
