"""The retention job: erase closed cases whose retention date has passed (SECURITY-TESTS item 15).

A case gets `retain_until` when it is closed (passage.cases.services). `run_retention(today)` erases every
closed case whose `retain_until` is before `today`, everyone in it included, with the erasure of
passage.cases.erasure (rows, search terms, attachment files; audited as `case.erased` by
`system:passage`). An open case is never erased, whatever its date. Run it daily:
`passage cases retention` (cron or a systemd timer).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

SYSTEM_ACTOR = "system:retention"
# Models are imported inside the functions: `passage.cases.cli` imports this module before Django is set up.


def due_cases(today: date) -> list[Any]:
    from passage.cases.models import Case, Stage

    return list(Case.objects.filter(stage=Stage.CLOSED, retain_until__isnull=False, retain_until__lt=today))


def run_retention(today: date) -> int:
    """Erase the cases past their retention date; the number erased."""
    from passage.cases.erasure import erase_case_as

    erased = 0
    for case in due_cases(today):
        erase_case_as(SYSTEM_ACTOR, case)
        erased += 1
    return erased


def retention_command(
    on: str = typer.Option("", "--on", help="YYYY-MM-DD: run as of this day (default: today)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="count the cases due, erase nothing"),
) -> None:
    """Erase closed cases whose retention date has passed."""
    from passage.engine import InputError, Problem
    from passage.storage.django_setup import setup_django

    setup_django()
    from passage.cases.services import today as default_today

    try:
        day = date.fromisoformat(on) if on else default_today()
    except ValueError:
        raise InputError(Problem("--on", "a date YYYY-MM-DD", repr(on))) from None
    if dry_run:
        typer.echo(f"{len(due_cases(day))} case(s) due for erasure on {day.isoformat()}")
        return
    count = run_retention(day)
    typer.echo(f"{count} case(s) erased (retention date before {day.isoformat()})")
