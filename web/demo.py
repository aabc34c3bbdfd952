"""Demo users and demo work orders, so every inbox shows something real after set-up.

The work orders are played through the real services over the past three days with the clock
moved back (time-machine), so their histories, deadlines, breaches and audit chain are genuine.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from engine.db import Database
from engine.directory import create_user, ensure_groups
from engine.models import User
from engine.timers import TimerSweeper
from web.auth.identity import hash_password
from web.demo_scenarios import SCENARIOS

DEMO_PASSWORD = "demo123"
DEMO_USERS: list[tuple[str, str, list[str]]] = [
    ("agent1", "坐席 王芳", ["call_centre"]),
    ("agent2", "坐席 李娜", ["call_centre"]),
    ("lead1", "值班长 张伟", ["shift_lead", "call_centre"]),
    ("dispatch1", "抢修值班 刘洋", ["repair_dispatch"]),
    ("crew1", "抢修班 陈刚", ["repair_crew"]),
    ("biz1", "营销部 赵敏", ["business"]),
    ("biz2", "计量室 孙磊", ["business"]),
    ("jiwei1", "纪检 周静", ["discipline"]),
    ("yingye1", "业扩 吴强", ["customer_service_mgmt"]),
    ("billing1", "电费中心 郑丽", ["billing"]),
    ("expert1", "专家 冯涛", ["experts"]),
    ("owner1", "流程管理员 何平", ["process_owner"]),
    ("auditor1", "审计 许可", ["auditor"]),
]


def load_demo(db: Database, *, now: datetime | None = None) -> str:
    """Create the demo users and play the demo scenarios; do nothing if already loaded."""
    with db.transaction() as session:
        if session.scalars(select(User).where(User.username == "agent1")).first() is not None:
            return "demo data already loaded"
        ensure_groups(session)
        for username, name, groups in DEMO_USERS:
            create_user(session, username, name, groups, password_hash=hash_password(DEMO_PASSWORD))
    end = now or datetime.now(timezone.utc)
    start = end - max(offset for offset, _ in SCENARIOS) - timedelta(minutes=30)
    sweeper = TimerSweeper(db)
    opened = 0
    with time_machine.travel(start, tick=False) as traveller:
        for offset, scenario in SCENARIOS:
            moment = start + offset
            if moment > end:
                break
            traveller.move_to(moment)
            sweeper.sweep()
            opened += scenario(db) or 0
        traveller.move_to(end)
        sweeper.sweep()
    return f"demo data loaded: {len(DEMO_USERS)} users, {opened} work orders"
