"""Social login routes (OpenID Connect, COMICREEL_OIDC_ISSUER): which provider, the redirect to it, and its callback,
which answers the login's tokens like password login, or, for the studio's browser (`next`), sets the session cookie
and goes back there. Every route answers 404 while social login is off."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from studio import oauth
from studio.api.accounts import LoggedIn, client_address
from studio.api.deps import ServicesDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.guards import API_PREFIX
from studio.errors import NotFound
from studio.services import Services
from studio.ui.session import set_session_cookies

router = APIRouter(tags=["accounts"])
STATE_COOKIE = "comicreel_oauth_state"  # the state of this browser's sign-in under way (login CSRF)
_STATE_PATH = API_PREFIX + "/auth/oauth"
_LOGIN_URL = _STATE_PATH + "/login"


class ProviderPublic(BaseModel):
    name: str = Field(description="The sign-in button's label (COMICREEL_OIDC_NAME).")
    issuer: str
    login_url: str = Field(description="Send the browser here, with `?next=/a/path` to come back to the studio.")


class SocialLogin(LoggedIn):
    new_account: bool = Field(description="This sign-in made the account (on the free plan).")


def _enabled(svc: Services) -> None:
    if not svc.settings.oidc_issuer:
        raise NotFound("social login is off here: set COMICREEL_OIDC_ISSUER and COMICREEL_OIDC_CLIENT_ID")


def _redirect_uri(request: Request, svc: Services) -> str:
    return svc.settings.oidc_redirect_url or str(request.url_for("oauth_callback"))


@router.get("/auth/oauth/provider", response_model=Envelope[ProviderPublic], responses=errors(404, public=True))
def provider(request: Request, svc: ServicesDep) -> Envelope[ProviderPublic]:
    """The provider social login signs in with, for the studio's button; 404 when social login is off."""
    _enabled(svc)
    issuer = svc.settings.oidc_issuer
    name = svc.settings.oidc_name or urlsplit(issuer).hostname or issuer
    return ok(request, ProviderPublic(name=name, issuer=issuer, login_url=_LOGIN_URL))


# Not in the OpenAPI document: it answers a redirect to the provider (302), never an envelope but on errors.
@router.get("/auth/oauth/login", include_in_schema=False)
def login(
    request: Request, svc: ServicesDep, next: str | None = Query(None, max_length=2000)
) -> RedirectResponse:
    """302 to the provider's sign-in page (state, nonce, PKCE); `next` (a path here) is where the studio goes after."""
    _enabled(svc)
    next_path = oauth.checked_next(next)
    svc.throttle.hit(svc.throttle.api, "oauth-login", client_address(request), what="social logins from here")
    redirect_uri = _redirect_uri(request, svc)
    url, state = oauth.start_login(svc, redirect_uri=redirect_uri, next_path=next_path)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(STATE_COOKIE, state, max_age=oauth.LOGIN_TTL_S, path=_STATE_PATH, httponly=True,
                        samesite="lax", secure=redirect_uri.startswith("https://"))  # fmt: skip
    return response


@router.get("/auth/oauth/callback", name="oauth_callback", response_model=Envelope[SocialLogin],
            responses={**errors(401, 404, 409, public=True), 302: {"description": "Signed in from the studio "
                       "(`next`): the session cookie is set and the browser goes back to `next`"}})  # fmt: skip
def callback(
    request: Request, response: Response, svc: ServicesDep, code: str | None = Query(None, max_length=2048),
    state: str | None = Query(None, max_length=200), error: str | None = Query(None, max_length=200),
    error_description: str | None = Query(None, max_length=1000), iss: str | None = Query(None, max_length=255),
) -> Any:  # an envelope, or the studio's redirect
    """Where the provider sends the browser back: the login's tokens (20001 for any provider error, bad state, nonce,
    signature, audience or expired ID token; 20004 suspended; 409 an unverified email of an existing account)."""
    _enabled(svc)
    svc.throttle.hit(svc.throttle.api, "oauth-callback", client_address(request), what="social logins from here")
    redirect_uri = _redirect_uri(request, svc)
    result, next_path = oauth.finish_login(
        svc, state=state, browser_state=request.cookies.get(STATE_COOKIE), code=code, error=error,
        error_description=error_description, issuer=iss, redirect_uri=redirect_uri,
    )  # fmt: skip
    secure = redirect_uri.startswith("https://")
    if next_path is None:
        response.delete_cookie(STATE_COOKIE, path=_STATE_PATH, httponly=True, samesite="lax", secure=secure)
        return ok(request, SocialLogin.model_validate(result))
    back = RedirectResponse(next_path, status_code=302)
    back.delete_cookie(STATE_COOKIE, path=_STATE_PATH, httponly=True, samesite="lax", secure=secure)
    # The studio's two cookies, as after a password login: the access token, and the refresh token that renews it.
    set_session_cookies(back, result, secure=secure, refresh_ttl=svc.settings.refresh_token_ttl)
    return back
