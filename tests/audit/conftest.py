"""Fixtures for the audit tests: a run of entries and its chained records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from passage.audit import AuditEntry, Chain, Record

KEY = b"checkpoint-key-for-tests-only-32b"
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def entry(i: int) -> AuditEntry:
    return AuditEntry(
        actor=f"user:{i % 3}",
        action=("case.read", "case.update", "auth.login")[i % 3],
        record_type=None if i % 3 == 2 else "case",
        record_id=None if i % 3 == 2 else f"6f1c2a4e-0000-4000-8000-{i:012d}",
        at=T0 + timedelta(seconds=i, microseconds=i),
        request_id=f"req-{i:04d}",
    )


def chained(n: int) -> list[Record]:
    chain = Chain()
    return [chain.append(entry(i)) for i in range(n)]


@pytest.fixture
def records() -> list[Record]:
    return chained(10)


@pytest.fixture
def lines(records: list[Record]) -> list[str]:
    return [r.to_line() for r in records]
