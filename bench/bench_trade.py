"""Time to assess one shipment in process, through the public facade `passage.assess.assess`.

Prints a table: median and p99 per shipment kind (target: under 1 ms). The screener and the rulebooks
are loaded once, before timing (a web or CLI process pays that once). Run: `.venv/bin/python
bench/bench_trade.py [iterations]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

from passage.assess import assess
from passage.engine import Library, PassageError, load_library

TARGET_MS = 1.0
CASES: dict[str, dict[str, object]] = {
    "export, Sch. 5 bearings, unlisted end user": {
        "direction": "export", "country": "BY", "hs_code": "848210", "ecl_item": None,
        "end_user": "Acme Trading Ltd", "shipped_on": "2023-03-01", "personal_effects": False},
    "export, listed end user (Latin)": {
        "direction": "export", "country": "BY", "hs_code": "847130", "ecl_item": None,
        "end_user": "Aleksandr Grigoryevich Lukashenko", "shipped_on": "2023-03-01", "personal_effects": False},
    "export, listed end user (Cyrillic)": {
        "direction": "export", "country": "BY", "hs_code": "847130", "ecl_item": None,
        "end_user": "Александр Григорьевич Лукашенко", "shipped_on": "2023-03-01", "personal_effects": False},
    "import, petroleum, contract date": {
        "direction": "import", "country": "BY", "exported_from": "BY", "hs_code": "271019",
        "contract_date": "2021-05-01", "end_user": "Maple Fuels Inc", "shipped_on": "2023-03-01"},
    "export, no end user (needs_info)": {
        "direction": "export", "country": "BY", "hs_code": "220300", "shipped_on": "2023-03-01"},
}
ON = date(2023, 3, 1)


def _library() -> tuple[Library | None, str]:
    """The shipped library; if another rulebook in the tree does not load, the trade rulebook alone."""
    from passage.rulebooks import RULEBOOKS_DIR, default_library

    try:
        return default_library(), "every shipped rulebook"
    except PassageError as error:
        alone = load_library([RULEBOOKS_DIR / "ca_trade_belarus"], [RULEBOOKS_DIR / "facts" / "shipment.yaml"])
        return alone, f"ca_trade_belarus alone (the full library failed to load: {str(error)[:80]})"


def main(iterations: int = 2000) -> int:
    library, which = _library()
    rows = []
    for name, facts in CASES.items():
        raw = {"subject": "shipment", **facts}
        for _ in range(50):  # warm-up: screener built, closures compiled
            assess(raw, ON, library)
        times = []
        for _ in range(iterations):
            start = time.perf_counter()
            assess(raw, ON, library)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        rows.append((name, statistics.median(times), times[int(len(times) * 0.99) - 1]))
    print(f"library: {which}; {iterations} runs per case; assessed as of {ON}")
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'median ms':>9}  {'p99 ms':>7}  target < {TARGET_MS} ms")
    for name, median, p99 in rows:
        flag = "ok" if median < TARGET_MS else "SLOW"
        print(f"{name:<{width}}  {median:9.3f}  {p99:7.3f}  {flag}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
