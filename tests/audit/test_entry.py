"""Audit entries hold identifiers only: no field values, no extra keys, UTC times."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from passage.audit import AuditEntry, AuditError, Record
from tests.audit.conftest import T0, chained, entry


class TestEntryShape:
    def test_has_no_field_for_a_value(self) -> None:
        """The entry type's fields are exactly who, what, which record, when and which request."""
        assert [f.name for f in dataclasses.fields(AuditEntry)] == [
            "actor",
            "action",
            "record_type",
            "record_id",
            "at",
            "request_id",
        ]

    def test_cannot_be_given_a_value_attribute(self) -> None:
        """A slotted, frozen entry cannot grow a `value` attribute after the fact."""
        item = entry(0)
        with pytest.raises((AttributeError, TypeError)):
            item.value = "Пятроў"  # type: ignore[attr-defined]

    @pytest.mark.parametrize("extra", ["value", "old_value", "note"])
    def test_reading_rejects_extra_keys(self, extra: str) -> None:
        """A stored entry with any key beyond the six is refused."""
        raw = {**entry(0).to_dict(), extra: "AB1234567"}
        with pytest.raises(AuditError, match=f"extra \\['{extra}'\\]"):
            AuditEntry.from_dict(raw)

    def test_reading_rejects_missing_keys(self) -> None:
        """A stored entry without its request id is refused."""
        raw = entry(0).to_dict()
        del raw["request_id"]
        with pytest.raises(AuditError, match="missing \\['request_id'\\]"):
            AuditEntry.from_dict(raw)

    def test_round_trips_through_a_dict(self) -> None:
        """to_dict then from_dict gives the same entry, for entries with and without a record."""
        for i in range(3):
            assert AuditEntry.from_dict(entry(i).to_dict()) == entry(i)


class TestEntryValidation:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("actor", "Ivan Petrov"),
            ("actor", "ivan@example.org"),
            ("actor", ""),
            ("action", "Case.Read"),
            ("action", "read passport AB1234567"),
            ("request_id", "x" * 200),
            ("record_id", "Пятроў"),
            ("record_type", 5),
        ],
    )
    def test_free_text_is_refused(self, field: str, value: object) -> None:
        """Spaces, e-mail addresses, Cyrillic, empty and overlong values are not identifiers and are refused."""
        with pytest.raises(AuditError, match=field):
            dataclasses.replace(entry(0), **{field: value})

    def test_record_type_and_id_go_together(self) -> None:
        """A record type without an id, or an id without a type, is refused."""
        with pytest.raises(AuditError, match="together"):
            dataclasses.replace(entry(0), record_id=None)

    @pytest.mark.parametrize(
        "at", [datetime(2026, 3, 1, 9, 30), datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=3))), "2026"]
    )
    def test_time_is_aware_utc(self, at: object) -> None:
        """A naive time, a time in another zone, or not a time is refused."""
        with pytest.raises(AuditError, match="UTC"):
            dataclasses.replace(entry(0), at=at)

    @pytest.mark.parametrize("at", ["2026-03-01 09:30:00", 20260301, None])
    def test_stored_time_has_one_format(self, at: object) -> None:
        """A stored time in any but the canonical format is refused."""
        with pytest.raises(AuditError, match="at:"):
            AuditEntry.from_dict({**entry(0).to_dict(), "at": at})

    def test_times_are_stored_in_utc_to_the_microsecond(self) -> None:
        """The stored time is UTC with microseconds and a Z."""
        assert dataclasses.replace(entry(0), at=T0.replace(microsecond=7)).to_dict()["at"] == (
            "2026-03-01T09:30:00.000007Z"
        )
        assert T0.tzinfo is UTC


class TestRecordLines:
    def test_round_trip(self) -> None:
        """A record read from its line equals the record written."""
        for record in chained(3):
            assert Record.from_line(record.to_line()) == record

    @pytest.mark.parametrize(
        ("edit", "message"),
        [
            (lambda line: line[:-1], "not JSON"),
            (lambda line: "[1]", "not a JSON object"),
            (lambda line: line.replace('"seq":0', '"seq":-1'), "seq"),
            (lambda line: line.replace('"seq":0', '"seq":true'), "seq"),
            (lambda line: line.replace(',"seq":0', ""), "seq"),
            (lambda line: line.replace('"prev":"', '"prev":"X'), "prev and hash"),
            (lambda line: line.replace('"hash":"', '"hash":"0'), "prev and hash"),
            (lambda line: line.replace(",", ", ", 1), "canonical"),
            (lambda line: line.replace("{", '{"actor":"user:9",', 1), "canonical"),
        ],
    )
    def test_anything_but_the_canonical_line_is_refused(self, edit: object, message: str) -> None:
        """Invalid JSON, wrong types, bad hashes and even harmless-looking edits of spacing are refused."""
        line = chained(1)[0].to_line()
        with pytest.raises(AuditError, match=message):
            Record.from_line(edit(line))  # type: ignore[operator]
