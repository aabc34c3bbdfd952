"""API tokens for other systems (telephony/IVR, billing): each acts as one user, stored only as a hash.

A token is shown once, when issued; the table keeps its SHA-256, so a database dump cannot be
replayed against the API. Revoking keeps the row (who had access, and until when, stays known).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import audit
from engine.db import Base
from engine.directory import get_user
from engine.errors import NotFound, TicketflowError
from engine.models import User, UTCDateTime
from engine.runtime import utcnow

TOKEN_PREFIX = "tf_"


class InvalidToken(TicketflowError):
    """The bearer token is unknown, revoked, or belongs to a deactivated user."""


class ApiToken(Base):
    """A system's credential: the hash of its secret and the user whose rights it carries."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def hash_token(plaintext: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def issue_token(session: Session, username: str, name: str, *, actor: str) -> tuple[ApiToken, str]:
    """Create a token acting as ``username``; the plaintext is returned here and never again."""
    get_user(session, username)
    if not name.strip():
        raise ValueError("a token needs a name saying which system holds it")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(token_hash=hash_token(plaintext), name=name.strip(), username=username,
                     created_by=actor, created_at=utcnow())
    session.add(token)
    session.flush()
    audit.record(session, "api_token.issued", actor=actor,
                 data={"token_id": token.id, "name": token.name, "acts_as": username})
    return token, plaintext


def revoke_token(session: Session, token_id: int, *, actor: str = "cli") -> ApiToken:
    """Stop a token working from now on (revoking twice keeps the first instant)."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"令牌不存在 / API token {token_id} does not exist")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "api_token.revoked", actor=actor, data={"token_id": token.id, "name": token.name})
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first, revoked ones included."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def authenticate(session: Session, plaintext: str) -> User:
    """The active user a presented token acts as, or :class:`InvalidToken`."""
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext))).first()
    if token is None or token.revoked:
        raise InvalidToken("令牌无效或已吊销 / the token is unknown or revoked")
    try:
        return get_user(session, token.username)
    except NotFound:
        raise InvalidToken("令牌所属用户已停用 / the token's user is deactivated") from None
