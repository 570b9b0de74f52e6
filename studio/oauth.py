"""Social login: OpenID Connect (authorization code with PKCE) against the provider at COMICREEL_OIDC_ISSUER through
authlib's httpx client — discovery, the authorization URL, the code exchange, the ID token's checks (signature against
the provider's JWKS, `iss`, `aud`, `exp`, `nonce`) — and the local account a provider's account signs in as.

A login under way is an `OAuthLogin` row keyed by its state's SHA-256 and used once; the browser that started it
holds the state in a cookie too, so a callback link sent to someone else does not sign them in (login CSRF).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.models import OAuthIdentity, OAuthLogin, User, as_utc
from db.session import changed_rows, transaction
from studio import accounts
from studio.auth import digest
from studio.errors import AccountSuspended, Conflict, Forbidden, InvalidParams, Unauthorized

if TYPE_CHECKING:
    from studio.config import Settings
    from studio.services import Services

logger = logging.getLogger(__name__)

LOGIN_TTL_S = 600  # from the redirect to the provider to its callback
_METADATA_TTL_S = 3600  # discovery document and keys; keys are fetched again at once for an unknown `kid`
_TIMEOUT_S = 10.0
_LEEWAY_S = 60  # clock skew allowed on `exp` and `iat`
# Signatures only the provider can make: never `none`, never HS* (keyed with the client secret, which we hold too).
_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_NO_PASSWORD = "!"  # not an Argon2 hash: password login never matches it
_PROVIDER_DOWN: tuple[type[Exception], ...] = (httpx.HTTPError, ValueError)
try:  # authlib >= 1.7 builds its httpx client on httpx2 when that is installed, on httpx otherwise
    import httpx2

    _PROVIDER_DOWN += (httpx2.HTTPError,)
except ImportError:  # pragma: no cover - depends on what is installed
    pass


@dataclass(frozen=True)
class ProviderAccount:
    """Who the provider says signed in, from a valid ID token."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    username_hint: str


class OidcClient:
    """The provider at COMICREEL_OIDC_ISSUER: its discovery document and keys (cached), and the protocol's steps."""

    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id, self.client_secret = settings.oidc_client_id, settings.oidc_client_secret
        self.scopes = settings.oidc_scopes
        self._lock = threading.Lock()
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, KeySet] | None = None

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, checked (authlib's OpenIDProviderMetadata) and naming our issuer."""
        with self._lock:
            cached = self._metadata
        if cached is not None and time.monotonic() - cached[0] < _METADATA_TTL_S:
            return cached[1]
        url = f"{self.issuer}/.well-known/openid-configuration"
        document = self._get_json(url, "discovery document")
        try:
            OpenIDProviderMetadata(document).validate()
        except (ValueError, TypeError, KeyError) as exc:
            raise Unauthorized(f"the sign-in provider's discovery document ({url}) is invalid: {exc}") from None
        if str(document["issuer"]).rstrip("/") != self.issuer:
            raise Unauthorized(f"the discovery document at {url} names issuer {document['issuer']!r}, not "
                               f"{self.issuer!r}: check COMICREEL_OIDC_ISSUER")  # fmt: skip
        with self._lock:
            self._metadata = (time.monotonic(), document)
        return document

    def authorization_url(self, *, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        """Where the browser goes to sign in: carries `state`, `nonce` and the S256 `code_challenge` of the verifier."""
        endpoint = self.metadata()["authorization_endpoint"]
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(endpoint, state=state, nonce=nonce, code_verifier=code_verifier)
        return str(url)

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str) -> str:
        """The ID token the provider gives for an authorization code and its PKCE verifier."""
        endpoint = self.metadata()["token_endpoint"]
        try:
            with self._client(redirect_uri) as client:
                token = client.fetch_token(endpoint, grant_type="authorization_code", code=code,
                                           code_verifier=code_verifier)  # fmt: skip
        except OAuthError as exc:
            why = f"{exc.error}: {exc.description}" if exc.description else exc.error
            raise Unauthorized(f"the sign-in provider refused the authorization code ({why}); sign in again") from None
        except _PROVIDER_DOWN as exc:
            logger.warning("the OpenID provider's token endpoint %s failed: %s", endpoint, exc)
            raise Unauthorized("the sign-in provider did not answer the code exchange; try again shortly") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise Unauthorized("the sign-in provider sent no ID token: COMICREEL_OIDC_SCOPES must include openid")
        return id_token

    def verify_id_token(self, id_token: str, *, nonce: str) -> ProviderAccount:
        """The account an ID token names, once its signature, issuer, audience, times and nonce are right."""
        metadata = self.metadata()
        algorithms = [a for a in metadata["id_token_signing_alg_values_supported"] if a in _ALGORITHMS] or ["RS256"]
        try:
            try:
                decoded = jwt.decode(id_token, self._key_set(metadata), algorithms=algorithms)
            except InvalidKeyIdError:  # the provider may have rotated its keys since we fetched them
                decoded = jwt.decode(id_token, self._key_set(metadata, fresh=True), algorithms=algorithms)
            claims = decoded.claims
            jwt.JWTClaimsRegistry(
                leeway=_LEEWAY_S, iss={"essential": True, "value": metadata["issuer"]},
                aud={"essential": True, "value": self.client_id}, sub={"essential": True},
                exp={"essential": True}, iat={"essential": True},
            ).validate(claims)  # fmt: skip
        except BadSignatureError:
            raise Unauthorized("the ID token's signature does not match the provider's keys") from None
        except ExpiredTokenError:
            raise Unauthorized("the ID token has expired; sign in again") from None
        except InvalidClaimError as exc:
            raise Unauthorized(f"the ID token's {exc.claim!r} is wrong (not for this app, or not from "
                               f"{self.issuer})") from None  # fmt: skip
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise Unauthorized(f"the ID token is invalid: {exc}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if claims.get("azp", self.client_id if len(audiences) == 1 else None) != self.client_id:
            raise Unauthorized("the ID token was issued to another app ('azp')")
        if not hmac.compare_digest(str(claims.get("nonce") or "").encode(), nonce.encode()):
            raise Unauthorized("the ID token's nonce does not match this sign-in; sign in again")
        email = _email(claims.get("email"))
        hint = str(claims.get("preferred_username") or (email or "").split("@")[0] or claims.get("name") or "")
        return ProviderAccount(issuer=self.issuer, subject=str(claims["sub"]), email=email,
                               email_verified=claims.get("email_verified") in (True, "true"),
                               username_hint=hint)  # fmt: skip

    def _key_set(self, metadata: dict[str, Any], *, fresh: bool = False) -> KeySet:
        with self._lock:
            cached = self._keys
        if not fresh and cached is not None and time.monotonic() - cached[0] < _METADATA_TTL_S:
            return cached[1]
        jwks = self._get_json(metadata["jwks_uri"], "keys (JWKS)")
        try:
            keys = KeySet.import_key_set({"keys": [k for k in jwks.get("keys", []) if k.get("use", "sig") == "sig"]})
        except (JoseError, ValueError, TypeError, AttributeError) as exc:
            raise Unauthorized(f"the sign-in provider's keys at {metadata['jwks_uri']} are invalid: {exc}") from None
        with self._lock:
            self._keys = (time.monotonic(), keys)
        return keys

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            with self._client() as client:
                response = client.request("GET", url, withhold_token=True)  # no access token of ours to send
                response.raise_for_status()
                document = response.json()
        except _PROVIDER_DOWN as exc:
            logger.warning("the OpenID provider's %s at %s failed: %s", what, url, exc)
            raise Unauthorized(f"the sign-in provider's {what} could not be read from {url}; try again") from None
        if not isinstance(document, dict):
            raise Unauthorized(f"the sign-in provider's {what} at {url} is not a JSON object")
        return document

    def _client(self, redirect_uri: str | None = None) -> OAuth2Client:
        methods = (self._metadata[1] if self._metadata else {}).get("token_endpoint_auth_methods_supported") or []
        auth = "client_secret_post" if methods and "client_secret_basic" not in methods else "client_secret_basic"
        if not self.client_secret:  # a public client: PKCE alone proves the code is ours
            auth = "none"
        return OAuth2Client(self.client_id, self.client_secret, token_endpoint_auth_method=auth, scope=self.scopes,
                            redirect_uri=redirect_uri, code_challenge_method="S256", timeout=_TIMEOUT_S)  # fmt: skip


def checked_next(value: str | None) -> str | None:
    """A path on this site to send the studio's browser to after signing in; anything else (another site, a scheme,
    `//host`) is refused, so the callback cannot become an open redirect."""
    if value is None or value == "":
        return None
    if (not value.startswith("/") or value.startswith("//") or "\\" in value
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)):  # fmt: skip
        raise InvalidParams("next must be a path on this site, such as /studio", field="next")
    return value


def start_login(svc: Services, *, redirect_uri: str, next_path: str | None) -> tuple[str, str]:
    """The provider's authorization URL for a new sign-in, and its state (for the browser's cookie)."""
    client: OidcClient = svc.oidc
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    url = client.authorization_url(redirect_uri=redirect_uri, state=state, nonce=nonce, code_verifier=verifier)
    now = datetime.now(UTC)
    with transaction(svc.sessions) as s:
        s.execute(delete(OAuthLogin).where(OAuthLogin.expires_at < now))
        s.add(OAuthLogin(state_hash=digest(state), issuer=client.issuer, nonce=nonce, code_verifier=verifier,
                         next_path=next_path, expires_at=now + timedelta(seconds=LOGIN_TTL_S)))  # fmt: skip
    return url, state


def finish_login(
    svc: Services, *, state: str | None, browser_state: str | None, code: str | None, error: str | None,
    error_description: str | None, issuer: str | None, redirect_uri: str,
) -> tuple[dict[str, Any], str | None]:  # fmt: skip
    """The provider's callback: the login's tokens (and profile, and whether the account is new), and where the
    studio's browser goes next. Unauthorized for anything wrong; nothing is created then."""
    client: OidcClient = svc.oidc
    pending = _take_pending(svc, client, state, browser_state)
    if error:
        raise Unauthorized(f"the sign-in provider did not sign you in: {error}"
                           f"{': ' + error_description if error_description else ''}")  # fmt: skip
    if issuer is not None and issuer.rstrip("/") != client.issuer:  # RFC 9207: an answer from another provider
        raise Unauthorized(f"this answer comes from {issuer!r}, not from {client.issuer!r}; sign in again")
    if not code:
        raise Unauthorized("the sign-in provider sent no authorization code; sign in again")
    id_token = client.exchange(code=code, code_verifier=pending.code_verifier, redirect_uri=redirect_uri)
    account = client.verify_id_token(id_token, nonce=pending.nonce)
    user_id, created = _local_user(svc, account)
    result = {**accounts.open_login(svc, user_id), "user": accounts.user_public(svc, user_id), "new_account": created}
    return result, pending.next_path


@dataclass(frozen=True)
class _Pending:
    nonce: str
    code_verifier: str
    next_path: str | None


def _take_pending(svc: Services, client: OidcClient, state: str | None, browser_state: str | None) -> _Pending:
    """The login `state` names, removed (so a replayed callback fails), if this browser started it and it is fresh."""
    if not state:
        raise Unauthorized("the callback has no state: start again at /api/v1/auth/oauth/login")
    if not browser_state or not hmac.compare_digest(state.encode(), browser_state.encode()):
        raise Unauthorized("this sign-in was not started in this browser (its state cookie is missing or differs): "
                           "start again at /api/v1/auth/oauth/login")  # fmt: skip
    with transaction(svc.sessions) as s:
        row = s.get(OAuthLogin, digest(state))
        if row is None:
            raise Unauthorized("this sign-in is unknown or was already used: start again at /api/v1/auth/oauth/login")
        pending = _Pending(row.nonce, row.code_verifier, row.next_path)
        expires, issuer = as_utc(row.expires_at), row.issuer
        if not changed_rows(s, delete(OAuthLogin).where(OAuthLogin.state_hash == row.state_hash)):
            raise Unauthorized("this sign-in was already used: start again at /api/v1/auth/oauth/login")
    if expires <= datetime.now(UTC) or issuer != client.issuer:
        raise Unauthorized("this sign-in has expired: start again at /api/v1/auth/oauth/login")
    return pending


def _local_user(svc: Services, account: ProviderAccount) -> tuple[uuid.UUID, bool]:
    """The user the provider's account signs in as: linked on first use to a provider-made account with its
    verified email, or made on the free plan; and whether it was made now."""
    with transaction(svc.sessions) as s:
        link = s.get(OAuthIdentity, (account.issuer, account.subject))
        created = False
        if link is not None:
            user = s.get(User, link.user_id)
            link.email = account.email
        else:
            user = None
            if account.email is not None:
                user = s.scalars(select(User).where(func.lower(User.email) == account.email)).first()
            # Linked by email only to an account made through a provider, and only for a verified email: nobody
            # verified a password account's email, so whoever registered it first could be anyone.
            if user is not None and (not account.email_verified or user.password_hash != _NO_PASSWORD):
                raise Conflict("an account with this email exists; log in with its password (or with the provider "
                               "it was made with)", field="email")  # fmt: skip
            if user is None:
                user, created = _new_user(s, svc, account), True
            s.add(OAuthIdentity(issuer=account.issuer, subject=account.subject, user_id=user.id, email=account.email))
        if user is None or user.status != "active":  # raised inside the transaction: the link is not kept
            raise AccountSuspended("this account is suspended")
        return user.id, created


def _new_user(s: Session, svc: Services, account: ProviderAccount) -> User:
    if not svc.settings.registration_open:
        raise Forbidden("registration is closed here: ask an admin for an account")
    if account.email is None:
        raise Unauthorized("the sign-in provider shared no email address: allow it (the email scope) and sign in again")
    base = re.sub(r"[^\w.-]", "", account.username_hint)[:40]
    base = base if len(base) >= 3 else f"user-{base}"
    names = [base] + [f"{base}-{secrets.token_hex(3)}" for _ in range(5)]
    taken = set(s.scalars(select(User.username).where(User.username.in_(names))))
    username = next((n for n in names if n not in taken), f"user-{secrets.token_hex(8)}")
    user_id = accounts.add_account(s, svc, email=account.email, username=username, password_hash=_NO_PASSWORD,
                                   may_be_admin=account.email_verified)  # fmt: skip
    user = s.get(User, user_id)
    assert user is not None
    return user



def _email(value: Any) -> str | None:
    try:
        return accounts.checked_email(value) if value else None
    except InvalidParams:
        return None
