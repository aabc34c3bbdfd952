"""Who is signed in: a :class:`Staff` snapshot of the engine's user, loaded once per request."""
from __future__ import annotations

from dataclasses import dataclass

from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from engine.models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.login_message_category = "info"

# Checked when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("ticketflow-no-such-user")


@dataclass(frozen=True)
class Staff(UserMixin):
    """A signed-in person: username, display name and (name, title_zh, title_en) of each group."""

    id: int
    username: str
    display_name: str
    groups: tuple[tuple[str, str, str], ...]

    @property
    def group_names(self) -> set[str]:
        return {name for name, _zh, _en in self.groups}

    def get_id(self) -> str:
        return str(self.id)

    @classmethod
    def of(cls, user: User) -> Staff:
        groups = tuple(sorted((g.name, g.title_zh, g.title_en) for g in user.groups))
        return cls(user.id, user.username, user.display_name, groups)


def hash_password(password: str) -> str:
    """The stored form of a password (werkzeug's salted hash)."""
    return generate_password_hash(password)


def authenticate(session, username: str, password: str) -> Staff | None:
    """The active user with this username and password, or None."""
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return Staff.of(user)


@login_manager.user_loader
def load_staff(user_id: str) -> Staff | None:
    from web import db

    if not user_id.isdigit():
        return None
    with db().reading() as session:
        user = session.get(User, int(user_id))
        return Staff.of(user) if user is not None and user.is_active else None


def require_login() -> ResponseReturnValue | None:
    """``before_request`` of every UI blueprint: anonymous visitors go to the sign-in page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None
