"""Benchmark of party screening: time per name against Schedule 1, a batch of 100,000 names, and
precision/recall on the labelled pairs. Plain script: `python bench/bench_screening.py`."""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from passage.screening import Screener, evaluate, load_listed_persons, load_name_pairs, screen_batch  # noqa: E402

GIVEN = [
    "Aleksandr",
    "Sergey",
    "Olga",
    "Natalia",
    "Ivan",
    "Dmitry",
    "Anna",
    "Pavel",
    "Elena",
    "Mikhail",
    "Андрей",
    "Ольга",
    "Сяргей",
    "Наталля",
    "Jean",
    "Marie",
    "John",
    "Wei",
    "Fatima",
    "Mohammed",
]
SURNAMES = [
    "Ivanov",
    "Petrova",
    "Smirnov",
    "Kovalenko",
    "Novak",
    "Tremblay",
    "Roy",
    "Gagnon",
    "Kuznetsov",
    "Шевчук",
    "Кавалёў",
    "Бондар",
    "Lukashuk",
    "Karpov",
    "Sokolova",
    "Garcia",
    "Smith",
    "Nguyen",
]
PATRONYMICS = ["", "", "Ivanovich", "Petrovna", "Сяргеевіч", "Alexandrovich"]


def generated_names(n: int, listed: list[str], seed: int = 7) -> list[str]:
    """Mostly made-up names, with 2% real listed names mixed in so the batch also scores hits."""
    rng = random.Random(seed)
    names = []
    for _ in range(n):
        if rng.random() < 0.02:
            names.append(rng.choice(listed))
        else:
            parts = [rng.choice(GIVEN), rng.choice(PATRONYMICS), rng.choice(SURNAMES)]
            if rng.random() < 0.3:
                parts.reverse()
            names.append(" ".join(p for p in parts if p))
    return names


def main() -> None:
    entries = load_listed_persons()
    screener = Screener(entries)
    listed = [e.name for e in entries]
    sample = generated_names(2_000, listed, seed=11)
    for name in sample[:200]:  # warm-up: fills the per-word caches the way a long run would
        screener.screen(name)
    fresh = Screener(entries)  # per-name timing on a fresh Screener (empty similarity cache)
    times = []
    for name in sample:
        start = time.perf_counter()
        fresh.screen(name)
        times.append((time.perf_counter() - start) * 1000.0)
    times.sort()
    median = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]

    batch = generated_names(100_000, listed)
    start = time.perf_counter()
    flagged = sum(1 for results in screen_batch(Screener(entries), batch) if results[0].status != "no_match")
    batch_seconds = time.perf_counter() - start

    pairs = load_name_pairs(ROOT / "tests" / "screening" / "name_pairs.csv")
    ev = evaluate(screener, pairs)
    rows = [
        ("list size (Schedule 1 entries)", f"{len(entries)}"),
        ("median ms per name (fresh screener)", f"{median:.3f}"),
        ("p99 ms per name (fresh screener)", f"{p99:.3f}"),
        ("batch of 100,000 generated names (s)", f"{batch_seconds:.1f}"),
        ("  of which flagged", f"{flagged}"),
        ("labelled pairs", f"{len(pairs)}"),
        ("precision at possible_match", f"{ev['possible_match'].precision:.3f}"),
        ("recall at possible_match", f"{ev['possible_match'].recall:.3f}"),
        ("precision at match", f"{ev['match'].precision:.3f}"),
        ("recall at match", f"{ev['match'].recall:.3f}"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -------")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
