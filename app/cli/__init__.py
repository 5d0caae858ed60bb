"""Command-line tasks: `flask --app app <command>`."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app import audit
from app.cli.outcomes import outcome_model_command, progress_backtest_command
from app.extensions import db
from app.models import Family, Role, User


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(retention_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(outcome_model_command)
    app.cli.add_command(progress_backtest_command)


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
        # It goes around the second person of the admin pages (the operator's way in): at least on file.
        audit.record("create_user", obj=user, detail=f"{user.email}: by the operator on the server (flask create-user)")
        db.session.commit()
    except AccountError as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Created {user.role.value} {user.email}" + (f" in team {team_obj.name}" if team_obj else ""))


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--no-logins", is_flag=True, help="Leave out the list of demo logins (`make run` prints it itself).")
@with_appcontext
def seed_demo_command(if_empty: bool, no_logins: bool) -> None:
    """Fill the database with a believable demo organisation (never in production)."""
    from app.cli.demo import seed_demo

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
    if not no_logins:
        from app.cli.demo import demo_logins

        password = current_app.config["DEMO_PASSWORD"]
        click.echo(f"Log in with any of these addresses and the password '{password}':")
        click.echo("\n".join(demo_logins()))


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code_command(email: str) -> None:
    """Print the current two-step code of a demo team lead or the demo administrator."""
    import pyotp

    from app.cli.demo import demo_totp_secret

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


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Only list the records whose retention term has passed.")
@click.option("--operator", metavar="EMAIL", help="Your account: named in the access log as who destroyed them.")
@with_appcontext
def retention_command(dry_run: bool, operator: str | None) -> None:
    """Destroy closed families' records whose retention term (RECORD_RETENTION_YEARS) has passed."""
    from app import dates
    from app.services.destruction import RETENTION_REASON, destroy_family, expired_records

    years = current_app.config["RECORD_RETENTION_YEARS"]
    expired = expired_records(dates.today(), years)
    actor = None
    if not dry_run:
        if not operator:
            raise click.ClickException("name yourself with --operator EMAIL (or use --dry-run to only list)")
        actor = db.session.execute(select(User).where(User.email == operator.strip().lower())).scalar_one_or_none()
        if actor is None or not actor.active:
            raise click.ClickException(f"no active account {operator}: --operator must be your own account")
    if not expired:
        click.echo(f"No record has passed its retention term of {years} years.")
        return
    click.echo(f"{'Case number':<16} {'Help ended':<12} Term ended ({years} years)")
    for record in expired:
        click.echo(f"{record.case_number:<16} {record.help_ended.isoformat():<12} {record.term_ended.isoformat()}")
    if dry_run:
        click.echo(f"{len(expired)} record(s) would be destroyed (dry run: nothing changed).")
        return
    try:
        # All or nothing: one transaction for the whole run.
        assert actor is not None  # looked up above unless it is a dry run
        for record in expired:
            destroy_family(db.session.get_one(Family, record.family_id), actor=actor, reason=RETENTION_REASON)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"{len(expired)} record(s) destroyed; the access log keeps a stub of each.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent backup of the database to PATH while the app runs (and PATH.manifest.json)."""
    from app.services.backup import BackupError, backup

    try:
        manifest = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"Backup written to {path} ({len(manifest['tables'])} tables, {rows} rows).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore a backup made by `flask backup` into the configured, empty database.

    The backup is restored into a scratch database first and must match its manifest and be an
    Attune schema; only then does it become the database. A refusal leaves the database as it was.
    """
    from app.services.backup import BackupError, restore

    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the target open during the copy
    try:
        result = restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(t["rows"] for t in result.tables.values())
    click.echo(f"Restored {len(result.tables)} tables, {rows} rows from {path}: matches the backup's manifest.")
    if result.needs_upgrade:
        click.echo(
            f"Its schema revision {', '.join(result.revisions)} is older: run `flask db upgrade` before serving."
        )
