"""Precision and recall of a screener on a labelled set of name pairs (tests/screening/name_pairs.csv).

A pair is (query, listed_name, label, note). Label 1: the query names the listed person; it counts as
found when that entry is among the flagged results. Label 0: the query names nobody on the list; any
flagged result is a false positive. "Flagged" means at least `possible_match` (what a person must review);
the same figures are also computed counting only `match`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from passage.screening.errors import ListFormatError
from passage.screening.matcher import Screener

COLUMNS = ("query", "listed_name", "label", "note")


@dataclass(frozen=True)
class NamePair:
    query: str
    listed_name: str
    label: int
    note: str


@dataclass(frozen=True)
class Evaluation:
    """Counts and rates at one status level."""

    level: str  # "possible_match" or "match"
    true_positives: int
    false_negatives: int
    false_positives: int
    true_negatives: int
    missed: tuple[str, ...]  # queries of label-1 pairs not found
    false_alarms: tuple[str, ...]  # queries of label-0 pairs flagged

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives else 1.0


def load_name_pairs(path: Path | str) -> list[NamePair]:
    """The labelled pairs of a CSV file with columns query, listed_name, label, note."""
    file = Path(path)
    with file.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ListFormatError(str(file), "header", f"columns {', '.join(COLUMNS)}")
        pairs = []
        for line, row in enumerate(reader, start=2):
            if row["label"] not in ("0", "1") or not row["query"] or not row["listed_name"]:
                raise ListFormatError(str(file), f"line {line}", "a query, a listed name and a label 0 or 1")
            pairs.append(NamePair(row["query"], row["listed_name"], int(row["label"]), row["note"] or ""))
    return pairs


def evaluate(
    screener: Screener, pairs: Iterable[NamePair], levels: Sequence[str] = ("possible_match", "match")
) -> dict[str, Evaluation]:
    """Precision and recall of `screener` on `pairs`, at each status level."""
    flagged_status = {"possible_match": ("match", "possible_match"), "match": ("match",)}
    screened = [(pair, screener.screen(pair.query)) for pair in pairs]
    out: dict[str, Evaluation] = {}
    for level in levels:
        accepted = flagged_status[level]
        tp = fn = fp = tn = 0
        missed: list[str] = []
        alarms: list[str] = []
        for pair, results in screened:
            flagged = [r for r in results if r.status in accepted and r.entry is not None]
            if pair.label == 1:
                if any(r.entry is not None and r.entry.name == pair.listed_name for r in flagged):
                    tp += 1
                else:
                    fn += 1
                    missed.append(pair.query)
            elif flagged:
                fp += 1
                alarms.append(pair.query)
            else:
                tn += 1
        out[level] = Evaluation(level, tp, fn, fp, tn, tuple(missed), tuple(alarms))
    return out
