"""``ticketflow user``: staff accounts for a production install (the demo loads its own)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from engine.directory import DEPARTMENTS, ROLES, create_user
from engine.errors import NotFound
from engine.models import User
from web import db
from web.auth.identity import hash_password


@click.group("user")
def user_group() -> None:
    """Staff accounts: who may sign in and which departments they work for."""


@user_group.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Name shown in inboxes and the audit log.")
@click.option("--group", "groups", multiple=True, required=True, type=click.Choice(sorted({*DEPARTMENTS, *ROLES})),
              help="Department or role; repeat for several.")
@click.password_option(help="Asked for when not given (typed twice, hidden).")
@with_appcontext
def add_user_command(username: str, display_name: str, groups: tuple[str, ...], password: str) -> None:
    """Create a staff account in the given departments."""
    if len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    with db(current_app).transaction() as session:
        if session.scalars(select(User).where(User.username == username)).first() is not None:
            raise click.ClickException(f"user {username} already exists")
        try:
            create_user(session, username, display_name, list(groups), password_hash=hash_password(password))
        except NotFound as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"created {username} in {', '.join(groups)}")
