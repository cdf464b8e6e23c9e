"""The JSON-lines store: append-only, fsynced, resumes the chain, cuts only unacknowledged torn writes, and
fails closed on a damaged last record."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from passage.audit import AuditError, JsonLinesStore, Record, Verification
from tests.audit.conftest import KEY, entry


def filled(path: Path, n: int) -> JsonLinesStore:
    store = JsonLinesStore(path)
    for i in range(n):
        store.append(entry(i))
    return store


class TestAppend:
    def test_appends_continue_the_chain_across_store_objects(self, tmp_path: Path) -> None:
        """Each append, even from a new store object on the same file, links to the last line on disk."""
        path = tmp_path / "audit.jsonl"
        filled(path, 3)
        record = JsonLinesStore(path).append(entry(3))
        assert record.seq == 3
        result = JsonLinesStore(path).verify()
        assert result == Verification(True, 4, record.hash)

    def test_the_file_is_owner_only_one_canonical_line_per_record(self, tmp_path: Path) -> None:
        """The log is mode 600 and each line is a record's canonical line."""
        path = tmp_path / "audit.jsonl"
        filled(path, 2)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [Record.from_line(line).seq for line in path.read_text().splitlines()] == [0, 1]

    def test_long_logs_resume_from_the_tail(self, tmp_path: Path) -> None:
        """A log larger than one read block still resumes from its last record."""
        path = tmp_path / "audit.jsonl"
        store = filled(path, 40)
        assert path.stat().st_size > 8192
        assert store.append(entry(40)).seq == 40
        assert store.verify().ok

    def test_concurrent_writers_keep_one_chain(self, tmp_path: Path) -> None:
        """Four processes appending at once leave one unbroken chain (the lock serialises them)."""
        path = tmp_path / "audit.jsonl"
        script = (
            "import sys; from passage.audit import JsonLinesStore; from tests.audit.conftest import entry\n"
            "store = JsonLinesStore(sys.argv[1])\n"
            "for i in range(25): store.append(entry(i))\n"
        )
        root = Path(__file__).resolve().parents[2]
        workers = [
            subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=root)  # noqa: S603 - our own interpreter
            for _ in range(4)
        ]
        assert [w.wait(timeout=60) for w in workers] == [0, 0, 0, 0]
        assert JsonLinesStore(path).verify().count == 100

    def test_an_unterminated_tail_is_cut_before_appending(self, tmp_path: Path) -> None:
        """Bytes after the last newline (a write never acknowledged) are dropped by the next append."""
        path = tmp_path / "audit.jsonl"
        filled(path, 2)
        with path.open("ab") as handle:
            handle.write(b'{"seq":2,"act')
        assert JsonLinesStore(path).append(entry(2)).seq == 2
        assert JsonLinesStore(path).verify().count == 3

    def test_a_file_holding_only_a_torn_line_starts_afresh(self, tmp_path: Path) -> None:
        """A log whose only content is an unterminated first write is emptied and restarted at zero."""
        path = tmp_path / "audit.jsonl"
        path.write_bytes(b'{"seq":0')
        assert JsonLinesStore(path).append(entry(0)).seq == 0

    @pytest.mark.parametrize("damage", [b'{"seq": 9}\n', b"\xff\xfe\n"])
    def test_a_damaged_last_record_stops_appending(self, tmp_path: Path, damage: bytes) -> None:
        """If the last complete line is not a record, append refuses rather than start a new chain."""
        path = tmp_path / "audit.jsonl"
        filled(path, 2)
        with path.open("ab") as handle:
            handle.write(damage)
        with pytest.raises(AuditError, match="damaged"):
            JsonLinesStore(path).append(entry(2))


class TestStoreVerification:
    def test_a_missing_log_is_empty(self, tmp_path: Path) -> None:
        """A log file that does not exist yet has no lines and verifies."""
        store = JsonLinesStore(tmp_path / "none.jsonl")
        assert list(store.lines()) == []
        assert store.verify().ok

    def test_a_flipped_byte_on_disk_is_reported_at_its_line(self, tmp_path: Path) -> None:
        """Flipping one bit of record 4 in the file reports record 4, undecodable bytes included."""
        path = tmp_path / "audit.jsonl"
        filled(path, 8)
        data = bytearray(path.read_bytes())
        start = sum(len(line) + 1 for line in path.read_text().splitlines()[:4])
        for offset, bit in ((10, 0x01), (30, 0x80)):
            altered = bytearray(data)
            altered[start + offset] ^= bit
            path.write_bytes(altered)
            result = JsonLinesStore(path).verify()
            assert (result.ok, result.broken_at) == (False, 4)

    def test_checkpoints_are_signed_over_a_verified_log_and_catch_truncation(self, tmp_path: Path) -> None:
        """A checkpoint signs the current head; cutting the file's last lines is then caught."""
        path = tmp_path / "audit.jsonl"
        store = filled(path, 6)
        checkpoint = store.checkpoint(KEY)
        assert (checkpoint.count, store.verify(checkpoint, KEY).ok) == (6, True)
        path.write_text("".join(line + "\n" for line in path.read_text().splitlines()[:4]))
        result = store.verify(checkpoint, KEY)
        assert (result.ok, result.broken_at) == (False, 4)

    def test_a_damaged_log_is_never_signed(self, tmp_path: Path) -> None:
        """Asking for a checkpoint over a broken chain is refused, naming the broken record."""
        path = tmp_path / "audit.jsonl"
        filled(path, 3)
        lines = path.read_text().splitlines()
        path.write_text(lines[0] + "\n" + lines[2] + "\n")
        with pytest.raises(AuditError, match="record 1"):
            JsonLinesStore(path).checkpoint(KEY)
