"""Command-line tools: ``flask --app portal users|demo|steps|reminders|jobs …``."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from . import demo as demo_data
from .accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    password_problem,
    set_password,
)
from .extensions import db, refresh_statistics
from .jobs.export import export_document, write_export
from .models import Candidate, Interview, Role, RoleSought, User
from .outbox import delivery
from .outbox.report import RunReport
from .steps.applying import apply_policy, applying
from .steps.sync import interviews_out_of_step, sync_interviews
from .times import NonexistentLocalTime, local_to_utc, local_today, utcnow
from .web.forms import CONTROL_CHARACTERS

users_cli = AppGroup("users", help="Manage sign-in accounts.")
demo_cli = AppGroup("demo", help="Fictional demo data.")
steps_cli = AppGroup("steps", help="The follow-up steps stored per interview.")
reminders_cli = AppGroup(
    "reminders",
    help="The outbox: decide which reminders are due, then send every queued email.",
)
jobs_cli = AppGroup("jobs", help="The agency's published job postings.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(steps_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(jobs_cli)


def _check_password(password: str, personal: list[str]) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters",
            param_hint="password",
        )
    problem = password_problem(password, personal)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    return password


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    required=True,
    help="What the account may do.",
)
@click.option("--name", required=True, help="The person's full name.")
@click.option(
    "--role-sought",
    type=click.Choice([r.value for r in RoleSought]),
    default=RoleSought.LEGAL_ASSISTANT.value,
    show_default=True,
    help="For candidates: the kind of role they are looking for.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting.",
)
def create_user(email: str, role: str, name: str, role_sought: str, password_stdin: bool) -> None:
    """Create an account that can sign in with EMAIL."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    name = name.strip()
    if not name or len(name) > 120 or not CONTROL_CHARACTERS.isdisjoint(name):
        raise click.BadParameter("give a name of 1 to 120 ordinary characters", param_hint="--name")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"an account for {email} already exists")
    profile = db.session.scalar(select(Candidate).where(Candidate.email == email))
    if role == Role.CANDIDATE and profile is not None and profile.user_id is not None:
        raise click.ClickException(
            f"the candidate {email} already has a sign-in under another email"
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    _check_password(password, [email, name])

    user = User(email=email, name=name, role=Role(role))
    set_password(user, password)
    db.session.add(user)
    if user.role == Role.CANDIDATE:
        if profile is None:
            profile = Candidate(name=name, email=email, role_sought=RoleSought(role_sought))
            db.session.add(profile)
        profile.user = user
    db.session.commit()
    click.echo(f"Created {user.role.label.lower()} account {email}.")


@demo_cli.command("seed")
@click.option(
    "--size",
    type=click.Choice(list(demo_data.SIZES)),
    default="small",
    show_default=True,
    help="large: 50 recruiters, 20,000 candidates, 100,000 interviews; large-half and "
    "large-quarter: that share of it (for the benchmark's sweep).",
)
@click.option(
    "--seed", "random_seed", type=int, default=2026, show_default=True, help="Random seed."
)
@click.option(
    "--if-empty", is_flag=True, help="Only seed when the database has no accounts at all."
)
def seed(size: str, random_seed: int, if_empty: bool) -> None:
    """Fill the database with a fictional agency, its people, employers and interviews.

    Running it again does not duplicate anything: when the demo agency is already
    there, it only prints the demo sign-ins.
    """
    if (
        if_empty
        and not demo_data.already_seeded()
        and db.session.scalar(select(func.count(User.id)))
    ):
        click.echo("The database already has accounts; demo data not added.")
        return
    if demo_data.already_seeded():
        click.echo("Demo data is already present; nothing added.")
    else:
        counts = demo_data.seed(size=size, seed=random_seed, progress=click.echo)
        db.session.commit()
        refresh_statistics(*(table.name for table in db.metadata.sorted_tables))
        click.echo(
            "Added {recruiters} recruiters, {candidates} candidates, {employers} employers, "
            "{jobs} jobs and {interviews} interviews.".format(**counts)
        )
    click.echo(f"\nDemo sign-ins (password for all: {demo_data.DEMO_PASSWORD}):")
    for role, email in demo_data.sign_ins():
        click.echo(f"  {role:<10} {email}")


@steps_cli.command("sync")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Recompute every interview's steps, not only those out of step.",
)
def sync_steps(everything: bool) -> None:
    """After an upgrade: create the steps of interviews that have none, and settle the open
    steps of closed interviews; finish applying a policy change a stopped process left
    half done. With --all, recompute every interview's steps (open ones under the policy
    in force)."""
    # Always: besides a change a stopped process left, this catches steps a request wrote
    # under the version before a change, just as the change was saved.
    pending = applying()
    with progress_bar("Applying the policy", pending.open_interviews if pending else 0) as advance:
        recomputed = apply_policy(lambda done, of: advance(done - advance.done))
    if recomputed:
        click.echo(f"Policy applied: open steps of {_interviews(recomputed)} recomputed.")
    query = select(Interview) if everything else interviews_out_of_step()
    total = db.session.scalar(query.with_only_columns(func.count(Interview.id))) or 0
    with progress_bar("Syncing steps", total) as advance:
        count = sync_interviews(query, progress=advance, commit_each=True)
    click.echo(f"Steps synced for {_interviews(count)}.")


def _interviews(count: int) -> str:
    return f"{count} interview{'s' if count != 1 else ''}"


class _Advance:
    """Moves a progress bar on (or nothing), and remembers how far it has got."""

    def __init__(self, bar=None):
        self.bar, self.done = bar, 0

    def __call__(self, step: int) -> None:
        self.done += step
        if self.bar is not None:
            self.bar.update(step)


@contextmanager
def progress_bar(label: str, length: int) -> Iterator[_Advance]:
    """Click's bar on a terminal; nothing when the output goes to a file, a pipe or a test
    (the summary line after it says what was done)."""
    if not length or not sys.stdout.isatty():
        yield _Advance()
        return
    with click.progressbar(length=length, label=label, show_pos=True, show_eta=True) as bar:
        yield _Advance(bar)


@reminders_cli.command("send")
@click.option(
    "--dry-run", is_flag=True, help="Show what would be sent; change nothing and send nothing."
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M"]),
    default=None,
    help="Decide as if it were this Toronto time (YYYY-MM-DDTHH:MM), to check a schedule; "
    "with it, emails are still really sent unless --dry-run is given too. Claims left by "
    "runs that died are judged by the real clock, not by this one.",
)
def send_reminders(dry_run: bool, as_of) -> None:
    """Queue the reminders due now and send every email in the outbox that is due (reminders,
    and invitations, password links or notices whose first try failed). Meant for cron, every
    few minutes, on every app server: each email goes once however many runs overlap, and
    however the database comes and goes. Exits 1, after saying why in one line, when the
    database cannot be reached."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxied app
    try:
        now = utcnow() if as_of is None else local_to_utc(as_of)
    except NonexistentLocalTime as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from exc
    # Links in the emails: PORTAL_URL (required in production), else the development server.
    report = RunReport(echo=click.echo)  # each email's line as it goes
    try:
        with app.test_request_context(base_url=app.config["PORTAL_URL"] or "http://127.0.0.1:5000"):
            delivery.run(now, dry_run=dry_run, report=report)
    except delivery.DATABASE_GONE as exc:
        raise click.ClickException(
            f"the database could not be reached ({delivery.one_line(exc)}). Emails not yet "
            "handed to the mail server go on the next run; none goes twice."
        ) from exc
    totals = (
        ", ".join(f"{n} {what}" for what, n in sorted(report.counts.items()) if n) or "nothing due"
    )
    click.echo(("Dry run, nothing changed: " if dry_run else "Done: ") + totals + ".")


@jobs_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--portal-url",
    help="The portal's public address, for each posting's application link (default: PORTAL_URL).",
)
def export_jobs(file: Path, portal_url: str | None) -> None:
    """Write the postings up today to FILE as JSON, for `build.py --postings FILE`: only
    their public fields, as published, each with the address of its application form.
    FILE is replaced whole, and left untouched when nothing changed, so a build after it
    rebuilds nothing."""
    base = (portal_url or current_app.config.get("PORTAL_URL") or "").strip()
    if not base.startswith(("http://", "https://")):
        raise click.UsageError(
            "Set PORTAL_URL or pass --portal-url https://portal.example: each posting "
            "links to its application form there."
        )
    document = export_document(local_today(), base)
    count = len(document["postings"])
    changed = write_export(file, document)
    postings = f"{count} posting{'s' if count != 1 else ''}"
    click.echo(f"{file}: {postings}{'' if changed else ', unchanged'}.")
