"""The sealed backup stream (passage.ops.sealed), in process: round trip, and every kind of tampering fails."""

from __future__ import annotations

import io
import os
import struct

import pytest

from passage.crypto import MasterKey, MasterKeyError
from passage.ops.sealed import CHUNK, MAGIC, BackupError, SealedReader, SealedWriter

KEY = MasterKey.generate()
DATA = os.urandom(2 * CHUNK + 12345)  # three parts


def seal(data: bytes = DATA, key: MasterKey = KEY) -> bytes:
    out = io.BytesIO()
    writer = SealedWriter(out, key, {"engine": "sqlite"})
    for start in range(0, len(data), 300_000):
        writer.write(data[start : start + 300_000])
    writer.close()
    return out.getvalue()


def unseal(blob: bytes, key: MasterKey = KEY) -> bytes:
    reader = SealedReader(io.BytesIO(blob), key)
    data = reader.read(1000) + reader.read()
    reader.finish()
    return data


def parts(blob: bytes) -> tuple[bytes, list[bytes]]:
    (length,) = struct.unpack(">I", blob[len(MAGIC) : len(MAGIC) + 4])
    offset = len(MAGIC) + 4 + length
    head, chunks = blob[:offset], []
    while offset < len(blob):
        (size,) = struct.unpack(">I", blob[offset : offset + 4])
        chunks.append(blob[offset : offset + 4 + size])
        offset += 4 + size
    return head, chunks


class TestSealed:
    def test_round_trip_and_no_plaintext(self) -> None:
        blob = seal()
        assert unseal(blob) == DATA
        assert DATA[:64] not in blob
        assert unseal(seal(b"")) == b""
        _, chunks = parts(blob)
        assert len(chunks) == 3
        assert SealedReader(io.BytesIO(blob), KEY).meta == {"engine": "sqlite"}

    def test_wrong_key_fails_before_reading(self) -> None:
        with pytest.raises(MasterKeyError, match="sealed under master key"):
            SealedReader(io.BytesIO(seal()), MasterKey.generate())

    @pytest.mark.parametrize(
        ("tamper", "message"),
        [
            (lambda h, c: h + c[0] + c[1], "cut short"),  # the final part dropped at a part boundary
            (lambda h, c: h + c[1] + c[0] + c[2], "fails authentication"),  # reordered
            (lambda h, c: h + c[0] + c[0] + c[1] + c[2], "fails authentication"),  # duplicated
            (lambda h, c: h + c[0] + c[1] + c[2] + c[2], "bytes after its last part"),  # extra part
            (lambda h, c: h.replace(b'"sqlite"', b'"sqlitf"') + b"".join(c), "does not open"),  # header edited
            (lambda h, c: b"X" + h[1:] + b"".join(c), "not a Passage backup"),
        ],
    )
    def test_tampering_fails_closed(self, tamper: object, message: str) -> None:
        head, chunks = parts(seal())
        with pytest.raises(BackupError, match=message):
            unseal(tamper(head, chunks))  # type: ignore[operator]

    def test_a_part_from_another_backup_fails(self) -> None:
        head, chunks = parts(seal())
        _, others = parts(seal())
        with pytest.raises(BackupError, match="fails authentication"):
            unseal(head + chunks[0] + others[1] + chunks[2])
