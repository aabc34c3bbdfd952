"""``ticketflow api-token``: issue, list and revoke the tokens other systems call the API with."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

import web
from engine.api_tokens import issue_token, list_tokens, revoke_token
from engine.directory import create_user
from engine.errors import TicketflowError
from engine.models import User


@click.group("api-token")
def api_token() -> None:
    """REST API tokens (one per calling system)."""


@api_token.command("issue")
@click.argument("username")
@click.option("--name", required=True, help="Which system holds the token, e.g. 'IVR gateway'.")
@click.option("--group", "groups", multiple=True,
              help="Create USERNAME as a system user in these groups if it does not exist (repeatable).")
@click.option("--actor", default="cli", show_default=True, help="Who issues it.")
@with_appcontext
def issue_command(username: str, name: str, groups: tuple[str, ...], actor: str) -> None:
    """Issue a token acting as USERNAME; it is printed once and only its hash is kept."""
    try:
        with web.db().transaction() as session:
            if groups and session.scalars(select(User).where(User.username == username)).first() is None:
                create_user(session, username, name, list(groups))
            token, plaintext = issue_token(session, username, name, actor=actor)
    except (TicketflowError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token #{token.id} for {username} ({name}); store it now, it is not shown again:")
    click.echo(plaintext)


@api_token.command("list")
@with_appcontext
def list_command() -> None:
    """List tokens (never their secrets)."""
    with web.db().reading() as session:
        for token in list_tokens(session):
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}Z" if token.revoked else "active"
            click.echo(f"#{token.id}\t{token.username}\t{token.name}\t{token.created_at:%Y-%m-%d}\t{state}")


@api_token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_command(token_id: int) -> None:
    """Stop a token working at once."""
    try:
        with web.db().transaction() as session:
            token = revoke_token(session, token_id)
    except TicketflowError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token #{token.id} ({token.name}) revoked")
