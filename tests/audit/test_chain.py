"""Chain verification (SECURITY-TESTS item 21): a modified byte, a deleted entry, a reordering and a
truncation are each reported at the right index; an intact chain verifies."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passage.audit import GENESIS, AuditError, Chain, Record, Verification, sign_checkpoint, verify
from tests.audit.conftest import KEY, chained, entry

ALL = chained(12)
ALL_LINES = [r.to_line() for r in ALL]


class TestIntactChain:
    def test_verifies(self, records: list[Record], lines: list[str]) -> None:
        """An untouched chain verifies, given as records or as their stored lines."""
        for items in (records, lines):
            result = verify(items)
            assert result == Verification(True, 10, records[-1].hash)

    def test_empty_log_verifies_to_genesis(self) -> None:
        """An empty log is valid and its head is the genesis value."""
        assert verify([]) == Verification(True, 0, GENESIS)

    def test_each_link_hashes_the_previous(self, records: list[Record]) -> None:
        """Each record's prev is the hash of the record before; the first's is genesis."""
        assert records[0].prev == GENESIS
        assert all(b.prev == a.hash for a, b in itertools.pairwise(records))

    def test_a_chain_resumes_after_its_last_record(self, records: list[Record]) -> None:
        """Chain.after(last) continues a stored log exactly as one long chain would."""
        resumed = Chain.after(records[4])
        assert [resumed.append(entry(i)) for i in range(5, 10)] == records[5:]


class TestModifiedByte:
    @pytest.mark.parametrize("index", [0, 4, 9])
    def test_every_changed_character_is_caught_at_its_record(self, lines: list[str], index: int) -> None:
        """Changing any one character of record i's line (to another printable one) is reported at index i."""
        line = lines[index]
        for position in range(len(line)):
            replacement = "0" if line[position] != "0" else "1"
            altered = [*lines[:index], line[:position] + replacement + line[position + 1 :], *lines[index + 1 :]]
            result = verify(altered)
            assert (result.ok, result.broken_at) == (False, index), (position, result.reason)

    def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(self, records: list[Record]) -> None:
        """Re-hashing an edited record moves the break to the next record, whose prev no longer matches."""
        edited = dataclasses.replace(records[3].entry, actor="user:99")
        forged = Chain(records[3].prev, 3).append(edited)
        result = verify([*records[:3], forged, *records[4:]])
        assert (result.ok, result.broken_at) == (False, 4)
        assert "link" in result.reason

    def test_an_edited_record_object_is_caught(self, records: list[Record]) -> None:
        """A Record object whose entry was swapped without re-hashing fails at its index."""
        altered = dataclasses.replace(records[6], entry=records[5].entry)
        result = verify([*records[:6], altered, *records[7:]])
        assert (result.broken_at, result.count, result.head) == (6, 6, records[5].hash)
        assert "altered" in result.reason


class TestDeletedEntry:
    @pytest.mark.parametrize("index", [0, 5, 8])
    def test_a_deleted_record_is_caught_where_it_was(self, lines: list[str], index: int) -> None:
        """Removing record i is reported at index i."""
        result = verify(lines[:index] + lines[index + 1 :])
        assert (result.ok, result.broken_at) == (False, index)

    def test_deletion_with_renumbering_is_caught_by_the_link(self, records: list[Record]) -> None:
        """Deleting record 5 and renumbering the rest still breaks at 5: its prev names the deleted record."""
        renumbered = [dataclasses.replace(r, seq=r.seq - 1) for r in records[6:]]
        result = verify([*records[:5], *renumbered])
        assert (result.broken_at, "link" in result.reason) == (5, True)


class TestReordering:
    @pytest.mark.parametrize(("i", "j"), [(0, 1), (3, 7), (8, 9)])
    def test_swapped_records_are_caught_at_the_first(self, lines: list[str], i: int, j: int) -> None:
        """Swapping records i and j is reported at index i."""
        swapped = list(lines)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        result = verify(swapped)
        assert (result.ok, result.broken_at) == (False, i)
        assert "sequence" in result.reason

    @given(st.permutations(range(12)))
    def test_any_reordering_is_caught_at_the_first_moved_record(self, order: list[int]) -> None:
        """For every permutation, the break is at the first position whose record moved."""
        result = verify([ALL_LINES[k] for k in order])
        moved = next((pos for pos, k in enumerate(order) if pos != k), None)
        assert result.broken_at == moved
        assert result.ok is (moved is None)


class TestTruncation:
    def test_truncation_is_invisible_without_a_checkpoint(self, records: list[Record]) -> None:
        """A chain cut at its end is self-consistent: this is why checkpoints exist."""
        assert verify(records[:7]).ok

    @pytest.mark.parametrize("kept", [0, 3, 9])
    def test_truncation_is_caught_against_the_signed_checkpoint(self, records: list[Record], kept: int) -> None:
        """A log shorter than the last signed checkpoint is reported at the first missing index."""
        checkpoint = sign_checkpoint(records[-1].hash, len(records), KEY)
        result = verify(records[:kept], checkpoint, KEY)
        assert (result.ok, result.broken_at, result.count) == (False, kept, kept)
        assert "truncated" in result.reason

    def test_a_log_that_grew_after_the_checkpoint_verifies(self, records: list[Record]) -> None:
        """Records appended after a checkpoint are fine: the checkpoint is a floor, not the end."""
        checkpoint = sign_checkpoint(records[5].hash, 6, KEY)
        assert verify(records, checkpoint, KEY) == Verification(True, 10, records[-1].hash)

    def test_a_rewritten_log_is_caught_at_the_checkpoint(self, records: list[Record]) -> None:
        """A consistent chain rebuilt with different content differs from the checkpoint at its last index."""
        checkpoint = sign_checkpoint(records[5].hash, 6, KEY)
        chain = Chain()
        rebuilt = [chain.append(dataclasses.replace(r.entry, request_id="forged")) for r in records]
        result = verify(rebuilt, checkpoint, KEY)
        assert (result.ok, result.broken_at) == (False, 5)
        assert "checkpoint" in result.reason

    def test_a_forged_checkpoint_is_reported(self, records: list[Record]) -> None:
        """A checkpoint whose count was edited, or verified with another key, fails its signature."""
        genuine = sign_checkpoint(records[-1].hash, 10, KEY)
        forged = dataclasses.replace(genuine, count=5)
        for checkpoint, key in ((forged, KEY), (genuine, b"k" * 32)):
            result = verify(records, checkpoint, key)
            assert (result.ok, result.broken_at) == (False, None)
            assert "signature" in result.reason

    def test_a_checkpoint_needs_its_key(self, records: list[Record]) -> None:
        """Verifying against a checkpoint without a key is a usage error, not a silent pass."""
        with pytest.raises(AuditError, match="key"):
            verify(records, sign_checkpoint(records[-1].hash, 10, KEY))

    def test_checkpoint_times_are_utc(self, records: list[Record]) -> None:
        """A checkpoint made without a time is stamped now, in UTC."""
        checkpoint = sign_checkpoint(records[-1].hash, 10, KEY)
        assert checkpoint.at.tzinfo is UTC
        assert abs((datetime.now(UTC) - checkpoint.at).total_seconds()) < 60
