"""Engine benchmarks: loading, one explained assessment, vectorized evaluation over 1,000,000 rows.

Targets (issue 2): load all rulebooks < 200 ms; one full person assessment with explanations < 100 µs
median; every option of a rulebook over 1,000,000 rows (unknowns included) < 50 ms after loading; the
table from Parquet < 0.5 s. Reference figures for OpenFisca on a 2-core machine (from the issue): 0.8 ms
per person (5 simple outputs, simulation built), 20 ms for 1,000,000 persons; `make bench` also measures
OpenFisca on this machine (`peer_openfisca.py`, last table).
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from passage.assess import assess
from passage.engine import load_library
from passage.engine.vector import evaluate_frame
from passage.rulebooks import default_library, fact_catalogs, rulebook_folders

ON = date(2025, 1, 10)
ROWS = 1_000_000
PERSONA = {
    "birth_date": "1988-04-12", "citizenships": ["BY"], "in_canada": True, "canadian_status": "permanent_resident",
    "protected_person": False, "national_passport_expiry": "2024-01-15", "fears_return": True,
    "first_entry_date": "2021-08-20", "pr_since": "2023-05-01", "temporary_resident_since": "2021-08-20",
    "absences": [{"from": "2024-07-01", "to": "2024-07-20"}], "tax_years_filed": 3, "language_proof": True,
}


def timed(fn: object, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return samples


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def random_frame(library: object, subject: str, rows: int) -> pl.DataFrame:
    """A table of random facts (about a fifth of each column unknown), built column-wise, of the column types
    `facts_schema` gives with the library (codes read by prefix are Categorical)."""
    from passage.engine.vector import facts_schema

    catalog = library.facts[subject]  # type: ignore[attr-defined]
    rng = random.Random(7)
    columns = {}
    base = date(1950, 1, 1)
    for name, dtype in facts_schema(catalog, library).items():  # type: ignore[arg-type]
        spec = catalog.get(name)
        kind = spec.type if spec else "present"
        if kind in ("bool", "present"):
            values: list[object] = [rng.choice((True, False, None, True, False)) for _ in range(rows)]
        elif kind in ("enum",):
            choices = [*spec.values, None]
            values = [rng.choice(choices) for _ in range(rows)]
        elif kind == "int":
            values = [rng.choice((0, 1, 2, 3, 4, 5, None)) for _ in range(rows)]
        elif kind == "decimal":
            values = [None if rng.random() < 0.2 else rng.randint(0, 10**7) / 100 for _ in range(rows)]
        elif kind == "date":
            values = [None if rng.random() < 0.2 else base + timedelta(days=rng.randint(0, 29000)) for _ in range(rows)]
        elif kind == "country":
            values = [rng.choice(("BY", "RU", "CA", "US", "KP", None)) for _ in range(rows)]
        elif kind == "countries":
            values = [rng.choice((["BY"], ["BY", "PL"], ["RU"], [], None)) for _ in range(rows)]
        elif kind == "date_ranges":
            sample = [{"from": date(2022, 3, 1), "to": date(2022, 4, 1)}]
            values = [rng.choice(([], sample, None)) for _ in range(rows)]
        else:
            values = [rng.choice(("271012", "310420", "8482", "0101", None)) for _ in range(rows)]
        columns[name] = pl.Series(name, values, dtype=dtype)
    return pl.DataFrame(columns)


def main() -> None:
    table: list[tuple[str, str, str]] = []
    load = timed(lambda: load_library(rulebook_folders(), fact_catalogs()), 5)
    table.append(("load all rulebooks (median of 5)", f"{statistics.median(load) * 1000:.1f} ms", "< 200 ms"))

    library = default_library()
    gc.freeze()  # as the web server does once the rulebooks are loaded (passage.web.wsgi)
    if "person" in {rb.subject for rb in library.rulebooks.values()}:
        assess(PERSONA, ON)  # warm: compile closures once
        runs = timed(lambda: assess(PERSONA, ON), 3000)
        options = len(assess(PERSONA, ON).options)
        table.append((f"one person, {options} options, explained (median)", f"{statistics.median(runs) * 1e6:.0f} µs",
                      "< 100 µs; OpenFisca: issue 800 µs, peer table"))
        table.append(("  same, p99", f"{p(runs, 0.99) * 1e6:.0f} µs", ""))
        rendered = timed(lambda: assess(PERSONA, ON).to_dict("be"), 1000)
        median = statistics.median(rendered) * 1e6
        table.append(("  with JSON rendering in Belarusian (median)", f"{median:.0f} µs", ""))

    for subject in sorted({rb.subject for rb in library.rulebooks.values()}):
        frame = random_frame(library, subject, ROWS)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "facts.parquet"
            frame.write_parquet(path)
            reads = timed(lambda path=path: pl.read_parquet(path), 3)
        table.append((f"{subject}: read {ROWS:,} rows from Parquet (median of 3)",
                      f"{statistics.median(reads) * 1000:.0f} ms", "< 500 ms"))
        for rulebook in library.for_subject(subject):
            evaluate_frame(library, subject, frame.head(1000), ON, [rulebook.name])
            def run(name: str = rulebook.name, subject: str = subject, frame: pl.DataFrame = frame) -> None:
                evaluate_frame(library, subject, frame, ON, [name])

            runs = timed(run, 3)
            table.append((f"{rulebook.name}: {len(rulebook.options)} options × {ROWS:,} rows (median of 3)",
                          f"{statistics.median(runs) * 1000:.0f} ms", "< 50 ms; OpenFisca: issue 20 ms, peer table"))

    width = max(len(row[0]) for row in table)
    print(f"{'measure'.ljust(width)} | {'result':>10} | target")
    print(f"{'-' * width}-|-{'-' * 10}-|-------")
    for name, result, target in table:
        print(f"{name.ljust(width)} | {result:>10} | {target}")


if __name__ == "__main__":
    main()
