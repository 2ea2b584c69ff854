"""A small OpenID Connect provider on a local port, for single sign-on tests: the authorization-code flow with
PKCE (S256) and a nonce, RS256 ID tokens, a JWKS endpoint and userinfo, over real HTTP.

`signed_in` is whom the provider's user is signed in as (its login screen is not part of the flow under test);
`sso_sign_in` plays the browser between Parley and the provider.
"""
import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

KEY_ID = "test-key-1"


@dataclass
class Grant:
    email: str
    nonce: str
    redirect_uri: str
    code_challenge: str
    client_id: str


@dataclass
class LocalOidcProvider:
    client_id: str = "parley"
    client_secret: str = "s3cret"
    signed_in: dict = field(default_factory=dict)
    #: Set to issue ID tokens for another client (the relying party must refuse them).
    audience: str | None = None
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def settings(self) -> dict:
        """The Parley settings that point single sign-on at this provider."""
        return {"OIDC_RP_CLIENT_ID": self.client_id, "OIDC_RP_CLIENT_SECRET": self.client_secret,
                "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base}/authorize", "OIDC_OP_TOKEN_ENDPOINT": f"{self.base}/token",
                "OIDC_OP_USER_ENDPOINT": f"{self.base}/userinfo", "OIDC_OP_JWKS_ENDPOINT": f"{self.base}/jwks"}

    def registration(self) -> dict:
        """What an admin types into Settings → Security → Single sign-on (or PUT /api/v1/security/sso) for this provider."""
        return {"client_id": self.client_id, "client_secret": self.client_secret,
                "authorization_endpoint": f"{self.base}/authorize", "token_endpoint": f"{self.base}/token",
                "userinfo_endpoint": f"{self.base}/userinfo", "jwks_endpoint": f"{self.base}/jwks"}

    def _jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def _authorize(self, query: dict) -> tuple[int, dict, bytes]:
        if query["client_id"] != self.client_id or query.get("code_challenge_method") != "S256":
            return 400, {}, b"unknown client or no PKCE"
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(email=self.signed_in["email"], nonce=query.get("nonce", ""), redirect_uri=query["redirect_uri"],
                                  code_challenge=query["code_challenge"], client_id=query["client_id"])
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": location}, b""

    def _token(self, form: dict) -> tuple[int, dict, bytes]:
        grant = self.grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (grant is None or form.get("client_secret") != self.client_secret or form.get("redirect_uri") != grant.redirect_uri
                or challenge != grant.code_challenge):
            return 400, {"Content-Type": "application/json"}, b'{"error": "invalid_grant"}'
        now = int(time.time())
        id_token = jwt.encode({"iss": self.base, "sub": grant.email, "aud": self.audience or grant.client_id, "iat": now,
                               "exp": now + 300, "nonce": grant.nonce, "email": grant.email},
                              self._key, algorithm="RS256", headers={"kid": KEY_ID})
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = {"sub": grant.email, **self.signed_in}
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, headers: dict, body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    return self._answer(*provider._authorize(query))
                if url.path == "/jwks":
                    return self._answer(200, {"Content-Type": "application/json"}, json.dumps(provider._jwks()).encode())
                if url.path == "/userinfo":
                    claims = provider.tokens.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
                    if claims is None:
                        return self._answer(401, {}, b"")
                    return self._answer(200, {"Content-Type": "application/json"}, json.dumps(claims).encode())
                return self._answer(404, {}, b"")

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlparse(self.path).path == "/token":
                    return self._answer(*provider._token(form))
                return self._answer(404, {}, b"")

        return Handler


def sso_sign_in(client, provider: LocalOidcProvider, *, email: str, email_verified: bool = True):
    """Click "Sign in with …", let the provider answer for `email`, and bring its redirect back to Parley."""
    provider.signed_in = {"email": email, "email_verified": email_verified}
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.base}/authorize?")
    at_provider = httpx.get(start["Location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = urlparse(at_provider.headers["Location"])
    return client.get(back.path, {k: v for k, v in (pair.split("=", 1) for pair in back.query.split("&"))})
