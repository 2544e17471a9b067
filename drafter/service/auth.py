"""Bearer tokens from DRAFTER_API_TOKENS, compared in constant time.

With no tokens configured the API is open, which `drafter serve` allows only on loopback.
A request without a bearer token gets 401; one whose token is not accepted gets 403; neither
reply echoes the token. Jobs belong to the token that made them (a hash of it is stored,
never the token), so one token cannot read or cancel another's jobs.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import ConfigError
from .errors import ApiError

bearer = HTTPBearer(auto_error=False, description="A token from DRAFTER_API_TOKENS")


@dataclass(frozen=True)
class Caller:
    owner: str  # a hash of the caller's token; "" when the API is open


def owner_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def token_accepted(token: str, tokens: tuple[str, ...]) -> bool:
    """Compare against every configured token in constant time (no early exit)."""
    given = hashlib.sha256(token.encode()).digest()
    found = False
    for candidate in tokens:
        found |= hmac.compare_digest(given, hashlib.sha256(candidate.encode()).digest())
    return found


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    tokens: tuple[str, ...] = request.app.state.service.settings.api_tokens
    if not tokens:
        return Caller(owner="")
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(
            401,
            "This API needs a token: send the header 'Authorization: Bearer TOKEN' with a token from "
            "DRAFTER_API_TOKENS.",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not token_accepted(credentials.credentials, tokens):
        raise ApiError(
            403, "The token was not accepted: check it against DRAFTER_API_TOKENS.", field="Authorization"
        )
    return Caller(owner=owner_of(credentials.credentials))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, tokens: tuple[str, ...]) -> None:
    """Refuse to serve beyond loopback without tokens."""
    if not tokens and not is_loopback(host):
        raise ConfigError(
            f"Refusing to serve on {host} without tokens: set DRAFTER_API_TOKENS (comma-separated) "
            "or bind to 127.0.0.1."
        )
