"""A fake OpenID Connect provider on loopback, for the social login tests: discovery, JWKS (an RSA key made here),
/authorize (insists on a PKCE S256 challenge) and /token (checks the client, the one-time code, its redirect URI and the
verifier; answers an RS256 ID token with the nonce it was given)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

KID = "test-key-1"


@dataclass
class FakeProvider:
    """Signs in `subject` with `profile` (email, email_verified...). `tweak` changes the next ID tokens' claims (None
    removes one); `forge` signs them with another key under the same `kid`; `deny` answers /authorize with that
    error instead of a code."""

    url: str = ""
    client_id: str = "comicreel-test"
    client_secret: str = "test-secret"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": KID}))
    subject: str = "alice-0001"
    profile: dict[str, Any] = field(default_factory=lambda: {"email": "alice@example.com", "email_verified": True,
                                                             "preferred_username": "alice"})  # fmt: skip
    tweak: dict[str, Any] = field(default_factory=dict)
    forge: bool = False
    deny: str = ""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}  # fmt: skip

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if query.get("client_id") != self.client_id or not query.get("redirect_uri"):
            return 400, {}, {"error": "invalid_client"}
        if not query.get("code_challenge") or query.get("code_challenge_method") != "S256":
            return 400, {}, {"error": "invalid_request", "error_description": "PKCE (S256) is required"}
        if self.deny:
            answer = {"error": self.deny, "state": query.get("state", "")}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {k: query.get(k, "") for k in ("code_challenge", "nonce", "redirect_uri")}
            answer = {"code": code, "state": query.get("state", "")}
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(answer)}"}, None

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, Any]:
        self.token_requests.append(form)
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if (client_id, secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code is good once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or challenge != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 3600,
                     "id_token": self.id_token(grant["nonce"])}  # fmt: skip

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.url, "sub": self.subject, "aud": self.client_id, "iat": now,
                                  "exp": now + 300, "nonce": nonce, **self.profile}  # fmt: skip
        for name, value in self.tweak.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = RSAKey.generate_key(2048, parameters={"kid": KID}) if self.forge else self.key
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key)


@contextlib.contextmanager
def serve() -> Iterator[FakeProvider]:
    """A fake provider on a free loopback port, for as long as the block runs."""
    fake = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._answer(200, fake.discovery())
            elif parts.path == "/jwks":
                public = fake.key.as_dict(private=False)
                self._answer(200, {"keys": [{**public, "use": "sig", "alg": "RS256"}]})
            elif parts.path == "/authorize":
                status, headers, body = fake.authorize(dict(parse_qsl(parts.query)))
                self._answer(status, body, headers)
            else:
                self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            form = dict(parse_qsl(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()))
            if urlsplit(self.path).path != "/token":
                self._answer(404, {"error": "not_found"})
                return
            self._answer(*fake.token(form, self.headers.get("Authorization") or ""))

        def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
