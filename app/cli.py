"""Command-line tasks: `flask --app app <command>`."""

from __future__ import annotations

import os
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, User


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_code_command)


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name as colleagues know it.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--team", default=None, help="Team name; created if it does not exist.")
@with_appcontext
def create_user_command(email: str, name: str, role: str, team: str | None) -> None:
    """Create an account. The password comes from NEW_USER_PASSWORD or a hidden prompt."""
    from app.services.accounts import AccountError, create_user, get_or_create_team

    password = os.environ.get("NEW_USER_PASSWORD")
    if not password:
        if not os.isatty(0):
            raise click.ClickException("no password: set NEW_USER_PASSWORD or run in a terminal to be asked")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        team_obj = get_or_create_team(team) if team else None
        user = create_user(email=email, name=name, role=Role(role), password=password, team=team_obj)
        db.session.commit()
    except AccountError as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Created {user.role.value} {user.email}" + (f" in team {team_obj.name}" if team_obj else ""))


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Fill the database with a believable demo organisation (never in production)."""
    from app.demo import seed_demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run in production: it creates accounts with a known password")
    if db.session.execute(select(func.count(User.id))).scalar_one():
        if if_empty:
            click.echo("The database already has data; demo not loaded.")
            return
        raise click.ClickException("the database is not empty; seed-demo only fills an empty database")
    summary = seed_demo()
    db.session.commit()
    click.echo(summary)


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code_command(email: str) -> None:
    """Print the current two-step code of a demo team lead or the demo administrator."""
    import pyotp

    from app.demo import demo_totp_secret

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo-code refuses to run in production")
    secret = demo_totp_secret(email)
    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if secret is None or user is None or user.totp_secret != secret:
        raise click.ClickException(f"{email} is not a demo account with a fixed code")
    totp = pyotp.TOTP(secret)
    left = totp.interval - int(time.time()) % totp.interval
    click.echo(totp.now())
    click.echo(
        f"(valid for {left} more seconds; each code works once, so wait for the next one to log in again)", err=True
    )
