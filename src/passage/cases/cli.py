"""`passage cases ...`: re-run open cases after a rulebook change; the retention job."""

from __future__ import annotations

from datetime import date

import typer

cases_app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Caseworker records."
)


@cases_app.command("rerun")
def rerun(
    organization: str = typer.Option("", "--organization", help="Only this organization's cases (its name)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report the changes without storing anything."),
    on: str = typer.Option("", "--on", help="Assess as of this day (YYYY-MM-DD); default today."),
    workers: int = typer.Option(
        0, "--workers", help="Processes that assess changed people (default: one a core, at most 4; 1: none)."
    ),
) -> None:
    """Assess every open case again with the current rulebooks and list each option whose status changed.

    One line per change: case id, person id, option, old status, new status, why.

    Ids only, never a name or a case reference: terminal output ends up in logs.
    """
    from passage.engine import InputError, Problem
    from passage.storage.django_setup import setup_django

    setup_django()
    from passage.auth.models import Organization
    from passage.cases.rerun import default_workers, rerun_open_cases

    day = None
    if on:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            raise InputError(Problem("--on", "a date YYYY-MM-DD", repr(on))) from None
    org = None
    if organization:
        org = Organization.objects.filter(name=organization).first()
        if org is None:
            raise InputError(Problem("--organization", "the name of an existing organization", "no such name"))
    changes = rerun_open_cases(org, on=day, dry_run=dry_run, workers=workers if workers > 0 else default_workers())
    typer.echo("case\tperson\toption\told\tnew\twhy")
    for change in changes:
        why = ",".join(change.why) or "-"
        typer.echo(f"{change.case_id}\t{change.person_id}\t{change.option}\t{change.old or '-'}\t{change.new}\t{why}")
    people = len({c.person_id for c in changes})
    verb = "would change" if dry_run else "changed"
    suffix = " (dry run: nothing stored)" if dry_run else ""
    typer.echo(f"{len(changes)} option(s) {verb} for {people} person(s){suffix}")


@cases_app.command("retention")
def retention(
    on: str = typer.Option("", "--on", help="YYYY-MM-DD: run as of this day (default: today)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="count the cases due, erase nothing"),
) -> None:
    """Erase closed cases whose retention date has passed (passage.cases.retention)."""
    from passage.storage.django_setup import setup_django

    setup_django()
    from passage.cases.retention import retention_command

    retention_command(on=on, dry_run=dry_run)
