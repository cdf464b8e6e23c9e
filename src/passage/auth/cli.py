"""`passage createadmin`: the first account of an organization (there are no default accounts).

The password is read from a hidden prompt (asked twice) or from the first line of `--password-file`; it is never
a command-line argument (it would show in `ps` and shell history). The password policy applies. The second
factor is set up at the account's first sign-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

auth_commands = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _read_password(password_file: Path | None) -> str:
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            _fail(f"--password-file: expected a readable UTF-8 file; {error.__class__.__name__}")
        lines = text.splitlines()
        return lines[0] if lines else ""
    first = typer.prompt("Password", hide_input=True)
    again = typer.prompt("Password again", hide_input=True)
    if first != again:
        _fail("the two passwords differ")
    return str(first)


@auth_commands.command("createadmin")
def createadmin(
    organization: Annotated[str, typer.Option("--organization", help="Organization name (created if missing)")],
    username: Annotated[str, typer.Option("--username", help="User name of the new admin (a pseudonym is fine)")],
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="Read the password from the first line of this file")
    ] = None,
    display_name: Annotated[str, typer.Option("--display-name", help="Name shown in the workspace")] = "",
) -> None:
    """Create an organization's admin account (and the organization if it does not exist)."""
    from passage.storage.django_setup import setup_django

    setup_django()
    from django.db import transaction

    from passage.auth import passwords
    from passage.auth.login import USERNAME
    from passage.auth.models import Organization, Role, User
    from passage.storage.audit import SYSTEM, audit

    organization = organization.strip()
    username = username.strip()
    if not organization or len(organization) > 200:
        _fail("--organization: expected a name of 1 to 200 characters")
    if not USERNAME.fullmatch(username):
        _fail("--username: expected 1 to 150 letters, digits or . @ + - _")
    if User.objects.filter(username=username).exists():
        _fail(f"--username: {username!r} is already in use")
    password = _read_password(password_file)
    problems = passwords.problems(password, username, display_name)
    if problems:
        reasons = {
            "too_short": f"shorter than {passwords.MIN_LENGTH} characters",
            "too_long": f"longer than {passwords.MAX_LENGTH} characters",
            "common": "a common or leaked password",
            "similar": "too close to the user name",
        }
        _fail("password refused: " + "; ".join(reasons[p] for p in problems))
    with transaction.atomic():
        org, created = Organization.objects.get_or_create(name=organization)
        if created:
            audit(SYSTEM, "auth.organization_created", "organization", org.pk)
        user = User.objects.create_user(username, org, Role.ADMIN, password, display_name=display_name)
        audit(SYSTEM, "auth.user_created", "user", user.pk)
    typer.echo(f"Created admin {username!r} of {organization!r}{' (new organization)' if created else ''}.")
    typer.echo("The second factor (an authenticator app) is set up at this account's first sign-in: /en/work/login/")
