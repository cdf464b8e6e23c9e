"""Checkpoints: HMAC-signed (head, count, time), exported as JSON and read back strictly."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from passage.audit import AuditError, Checkpoint, sign_checkpoint
from tests.audit.conftest import KEY, T0, chained


class TestCheckpoint:
    def test_round_trips_through_json_and_keeps_its_signature(self) -> None:
        """An exported checkpoint reads back equal and still verifies under its key."""
        records = chained(4)
        checkpoint = sign_checkpoint(records[-1].hash, 4, KEY, at=T0)
        again = Checkpoint.from_json(checkpoint.to_json())
        assert again == checkpoint
        assert again.is_signed_by(KEY)
        assert json.loads(checkpoint.to_json())["count"] == 4

    def test_every_field_is_signed(self) -> None:
        """Changing the head, the count or the time breaks the signature."""
        checkpoint = sign_checkpoint(chained(1)[0].hash, 1, KEY, at=T0)
        for change in ({"head": "0" * 64}, {"count": 2}, {"at": datetime(2027, 1, 1, tzinfo=UTC)}):
            altered = Checkpoint(**{**checkpoint.__dict__, **change})
            assert not altered.is_signed_by(KEY)

    @pytest.mark.parametrize("key", [b"short", "a string key of more than 32 chars"])
    def test_refuses_weak_or_non_byte_keys(self, key: bytes) -> None:
        """A key shorter than 32 bytes, or not bytes, is refused for signing and checking."""
        with pytest.raises(AuditError, match="32 bytes"):
            sign_checkpoint("0" * 64, 0, key)
        with pytest.raises(AuditError, match="32 bytes"):
            sign_checkpoint("0" * 64, 0, KEY).is_signed_by(key)

    @pytest.mark.parametrize(
        "change",
        [
            {"v": 2},
            {"extra": 1},
            {"head": "XYZ"},
            {"mac": 5},
            {"count": -1},
            {"count": True},
            {"count": "4"},
            {"at": "yesterday"},
            {"at": None},
        ],
    )
    def test_reading_is_strict(self, change: dict[str, object]) -> None:
        """Any other version, extra key, bad hash, bad count or bad time is refused."""
        raw = {**json.loads(sign_checkpoint("0" * 64, 0, KEY, at=T0).to_json()), **change}
        with pytest.raises(AuditError):
            Checkpoint.from_json(json.dumps(raw))

    @pytest.mark.parametrize("text", ["not json", "[]"])
    def test_refuses_what_is_not_a_json_object(self, text: str) -> None:
        """Text that is not a JSON object is refused."""
        with pytest.raises(AuditError, match="checkpoint"):
            Checkpoint.from_json(text)
