"""The `passage` command: a thin shell over `passage.assess` and the rulebooks.

Exit codes: 0 done; 1 scenario failures; 2 bad input (unknown fact, wrong type, impossible date,
malformed file) with a message naming the problem — never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from passage.assess import assess, check_language, read_facts_json
from passage.engine import LANGUAGES, Evaluator, PassageError, load_scenarios, parse_date, run_scenario
from passage.rulebooks import default_library

# Pretty exceptions off: our own errors must reach main() and become exit 2 with one line, never a traceback.
app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Passage: what you can lawfully do, and why.",
)

LangOption = Annotated[str, typer.Option("--lang", help="Language: " + ", ".join(LANGUAGES))]


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command("assess")
def assess_command(
    file: Annotated[str, typer.Argument(help="JSON file of facts (fact name -> value), or - for standard input")],
    on: Annotated[str | None, typer.Option("--on", help="Date to assess as of, YYYY-MM-DD (default: today)")] = None,
    lang: LangOption = "en",
    output: Annotated[str, typer.Option("--format", help="json or text")] = "json",
) -> None:
    """Assess the facts in FILE as of a date and print the options, reasons and deadlines."""
    check_language(lang)
    if output not in ("json", "text"):
        _fail(f"--format: expected json or text; got {output!r}")
    day = parse_date(on, "--on") if on is not None else date.today()
    if file == "-":
        text, source = sys.stdin.read(), "standard input"
    else:
        path = Path(file)
        if not path.is_file():
            _fail(f"{file}: expected a readable JSON file; no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            _fail(f"{file}: expected a readable UTF-8 JSON file; {error}")
        source = file
    assessment = assess(read_facts_json(text, source), day)
    if output == "json":
        typer.echo(json.dumps(assessment.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        typer.echo(assessment.to_text(lang))


@app.command("facts")
def facts_command(
    subject: Annotated[str, typer.Option(help="person or shipment")] = "person",
    lang: LangOption = "en",
    output: Annotated[str, typer.Option("--format", help="json or text")] = "text",
) -> None:
    """List every fact a subject can have: type, allowed values and question."""
    check_language(lang)
    library = default_library()
    catalog = library.facts.get(subject)
    if catalog is None:
        _fail(f"--subject: expected one of {', '.join(library.subjects())}; got {subject!r}")
        return
    rows = [
        {
            "name": spec.name,
            "type": spec.type,
            "nullable": spec.nullable,
            "values": list(spec.values),
            "expected": spec.expected(),
            "topic": spec.topic,
            "question": spec.question[lang],
        }
        for spec in catalog.values()
    ]
    if output == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['name']} ({row['type']}{', nullable' if row['nullable'] else ''}): {row['expected']}")
        typer.echo(f"    {row['question']}")


@app.command("rulebooks")
def rulebooks_command() -> None:
    """List the rulebooks loaded, with their subject, version and content hash."""
    for rulebook in default_library().rulebooks.values():
        options = ", ".join(option.id for option in rulebook.options)
        typer.echo(f"{rulebook.name}  subject={rulebook.subject}  version={rulebook.version}  "
                   f"sha256={rulebook.content_hash[:16]}  options: {options}")


@app.command("test")
def test_command(
    folders: Annotated[list[Path] | None, typer.Argument(help="Scenario folders (default: every rulebook's tests/)")]
    = None,  # noqa: PT028 - a CLI command named "test", not a pytest test
) -> None:
    """Run the YAML scenarios of every rulebook; print failures and a summary."""
    library = default_library()
    evaluator = Evaluator(library)
    subjects = {(rb.path / "tests").resolve(): rb.subject for rb in library.rulebooks.values()}
    targets = [folder.resolve() for folder in folders] if folders else list(subjects)
    passed = failed = 0
    for folder in targets:
        if not folder.is_dir():
            _fail(f"{folder}: expected a folder of scenario YAML files")
        for scenario in load_scenarios(folder, subjects.get(folder, "person")):
            problems = run_scenario(library, evaluator, scenario)
            if problems:
                failed += 1
                typer.echo(f"FAIL {scenario.id}")
                for problem in problems:
                    typer.echo(f"     {problem}")
            else:
                passed += 1
    typer.echo(f"scenarios: {passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@app.command("screen")
def screen_command(
    name: Annotated[str | None, typer.Argument(help="A name to screen (any script, any order)")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Screen every name in this CSV file")] = None,
    column: Annotated[str, typer.Option(help="The CSV column holding the names")] = "name",
    output_file: Annotated[Path | None, typer.Option("--output", help="Write batch results here (CSV)")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Screen against the list as of YYYY-MM-DD")] = None,
    list_file: Annotated[Path | None, typer.Option("--list", help="GAC consolidated list XML (sema-lmes.xml)")]
    = None,
    lang: LangOption = "en",
) -> None:
    """Screen a name, or a CSV of names, against the listed persons of the Belarus sanctions regulations."""
    from passage.screening import (
        Screener,
        entries_on,
        explain,
        load_consolidated_list,
        load_listed_persons,
        screen_batch,
    )

    check_language(lang)
    if (name is None) == (csv_file is None):
        _fail("give either a NAME or --csv FILE")
    entries = load_consolidated_list(list_file) if list_file else load_listed_persons()
    if on is not None:
        entries = entries_on(entries, parse_date(on, "--on"))
    screener = Screener(entries)
    if name is not None:
        results = screener.screen(name, limit=3)
        flagged = [result for result in results if result.status != "no_match"] or results[:1]
        for result in flagged:
            for line in explain(result, lang):
                typer.echo(line)
        return
    _screen_csv(screener, screen_batch, csv_file, column, output_file)  # type: ignore[arg-type]


def _screen_csv(screener: object, screen_batch: object, csv_file: Path, column: str, output_file: Path | None) -> None:
    """Batch mode: one output row per input row (best match, status, score), with a progress bar."""
    import csv

    from rich.progress import Progress

    try:
        with csv_file.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        _fail(f"{csv_file}: expected a readable UTF-8 CSV file; {error}")
        return
    if rows and column not in rows[0]:
        _fail(f"{csv_file}: expected a column {column!r}; found {', '.join(rows[0])}")
    names = [row.get(column) or "" for row in rows]
    out = output_file.open("w", encoding="utf-8", newline="") if output_file else sys.stdout
    writer = csv.writer(out)
    writer.writerow([column, "status", "score", "listed_name", "listed_on", "part", "item"])
    with Progress(transient=True, disable=output_file is None) as progress:
        task = progress.add_task("screening", total=len(names))
        batch = screen_batch(screener, names, progress=lambda n: progress.update(task, completed=n))  # type: ignore[operator]
        for query, results in zip(names, batch, strict=True):
            best = results[0]
            entry = best.entry if best.status != "no_match" else None
            listed = [entry.name, entry.listed_on, entry.part, entry.item] if entry else ["", "", "", ""]
            writer.writerow([query, best.status, f"{best.score:g}", *listed])
    if output_file:
        out.close()
        typer.echo(f"{len(names)} names screened; results in {output_file}")


@app.command("trade-figures")
def trade_figures_command(
    csv_file: Annotated[Path | None, typer.Option("--csv", help="A Statistics Canada merchandise-trade CSV")]
    = None,
    partner: Annotated[str, typer.Option(help="Trading partner to read from the CSV")] = "Belarus",
    flow: Annotated[str | None, typer.Option(help="imports or exports, for a CSV holding only one flow")] = None,
    output: Annotated[Path | None, typer.Option("--chart", help="Write an SVG chart here")] = None,
    lang: LangOption = "en",
) -> None:
    """Canada–Belarus exports and imports by year (cited figures, or a StatCan CSV), as a table and chart."""
    from passage.trade_figures.cli import figures_command

    check_language(lang)
    figures_command(csv_file, partner, lang, output, flow)


# Workspace commands: each module owns its commands (they configure Django only when run).
from passage.auth.cli import auth_commands  # noqa: E402 - registered after the person commands, in help order
from passage.cases.cli import cases_app  # noqa: E402
from passage.ops.cli import audit_app, keys_app, ops_commands  # noqa: E402

for _group in (auth_commands, ops_commands):
    for _command in _group.registered_commands:
        app.registered_commands.append(_command)
app.add_typer(cases_app, name="cases")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")


def main() -> None:
    try:
        app(standalone_mode=True)
    except PassageError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except Exception as error:  # a bug of ours: one line for the user, the traceback only on request
        if os.environ.get("PASSAGE_DEBUG"):
            raise
        typer.echo(f"error: internal error ({type(error).__name__}); set PASSAGE_DEBUG=1 for details", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
