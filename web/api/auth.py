"""Bearer-token authentication: each request acts as the user its token was issued for."""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, request

import web
from engine.api_tokens import InvalidToken, authenticate

SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "一个系统一个令牌，代表一个系统用户 / one token per system, acting as one (system) user: "
                   "`Authorization: Bearer <token>`.",
}


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's user and that user's groups."""

    username: str
    groups: frozenset[str]


def require_token() -> None:
    """Refuse a request without a valid ``Authorization: Bearer`` token (401)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("缺少令牌 / send an API token as 'Authorization: Bearer <token>'")
    with web.db().reading() as session:
        user = authenticate(session, token.strip())
        g.api_caller = Caller(user.username, frozenset(user.group_names))


def caller() -> Caller:
    """The authenticated caller of this request."""
    return g.api_caller
