"""Departments, roles and people: who may see and act on which tasks."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from engine.errors import NotFound, PermissionDenied
from engine.models import Group, User, user_groups

# Lane ids from the domain brief; each is also an inbox group.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "call_centre": ("95598 呼叫中心", "95598 call centre"),
    "shift_lead": ("值班长", "Shift lead"),
    "repair_dispatch": ("抢修值班", "Repair duty desk"),
    "repair_crew": ("抢修班", "Repair crew"),
    "business": ("业务部门", "Business departments"),
    "discipline": ("纪检监察", "Discipline inspection"),
    "customer_service_mgmt": ("营业业扩", "Customer service / new connections"),
    "billing": ("电费管理中心", "Billing centre"),
    "experts": ("专家咨询小组", "Expert group"),
}
ROLES: dict[str, tuple[str, str]] = {
    "process_owner": ("流程管理员", "Process owner"),
    "auditor": ("审计员", "Auditor"),
}
SYSTEM_ACTOR = "system"


def ensure_groups(session: Session) -> None:
    """Create the standard departments and roles if they are missing."""
    existing = set(session.scalars(select(Group.name)).all())
    for name, (zh, en) in DEPARTMENTS.items():
        if name not in existing:
            session.add(Group(name=name, title_zh=zh, title_en=en, is_lane=True))
    for name, (zh, en) in ROLES.items():
        if name not in existing:
            session.add(Group(name=name, title_zh=zh, title_en=en, is_lane=False))
    session.flush()


def create_user(session: Session, username: str, display_name: str, groups: list[str], *, password_hash: str = "") -> User:
    """Add a person with group memberships (password hashing belongs to the web layer)."""
    found = {g.name: g for g in session.scalars(select(Group).where(Group.name.in_(groups)))}
    missing = sorted(set(groups) - set(found))
    if missing:
        raise NotFound(f"未知部门 / unknown groups: {', '.join(missing)}")
    user = User(username=username, display_name=display_name, password_hash=password_hash,
                groups=[found[g] for g in groups])
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    """Load an active user or fail with a message a UI can show."""
    user = session.scalars(select(User).options(joinedload(User.groups)).where(User.username == username)).unique().first()
    if user is None or not user.is_active:
        raise NotFound(f"用户不存在 / no such user: {username}")
    return user


# Every service call checks one membership: a single prebuilt row query, not a User with its groups.
_MEMBERSHIPS = (
    select(User.is_active, Group.name)
    .select_from(User)
    .outerjoin(user_groups, user_groups.c.user_id == User.id)
    .outerjoin(Group, Group.id == user_groups.c.group_id)
    .where(User.username == bindparam("username"))
)


def require_member(session: Session, username: str, group: str) -> None:
    """Refuse unless the user exists, is active and belongs to ``group``."""
    rows = session.execute(_MEMBERSHIPS, {"username": username}).all()
    if not rows or not rows[0].is_active:
        raise NotFound(f"用户不存在 / no such user: {username}")
    if group not in {row.name for row in rows}:
        raise PermissionDenied(f"{username} 不属于「{_title(session, group)}」/ is not in group {group}")


def _title(session: Session, group: str) -> str:
    found = session.scalars(select(Group.title_zh).where(Group.name == group)).first()
    return found or group
