"""Verifying the database audit log, and signed checkpoints of its head to keep somewhere else.

The checkpoint key is `derived_secret("audit-checkpoint")`: derived from the index key, so it survives
master-key and data-key rotations, and needs the master key (a checkpoint cannot be forged from a stolen
database alone).
"""

from __future__ import annotations

from pathlib import Path

from passage.audit import AuditError, Checkpoint, Verification, sign_checkpoint
from passage.engine import PassageError

CHECKPOINT_PURPOSE = "audit-checkpoint"


class CheckpointFileError(PassageError):
    """A checkpoint file that cannot be read."""


def checkpoint_key() -> bytes:
    from passage.storage.keys import derived_secret

    return derived_secret(CHECKPOINT_PURPOSE)


def read_checkpoint(path: Path) -> Checkpoint:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise CheckpointFileError(f"{path}: expected a checkpoint JSON file; {error}") from None
    try:
        return Checkpoint.from_json(text.strip())
    except AuditError as error:
        raise CheckpointFileError(f"{path}: {error}") from None


def verify_database(checkpoint: Checkpoint | None = None) -> Verification:
    from passage.storage.audit import verify_log

    return verify_log(checkpoint, checkpoint_key() if checkpoint is not None else None)


def checkpoint() -> tuple[Verification, Checkpoint | None]:
    """Verify the whole log, then sign its head; a damaged log is never signed (None)."""
    result = verify_database()
    if not result.ok:
        return result, None
    return result, sign_checkpoint(result.head, result.count, checkpoint_key())


def head() -> dict[str, object]:
    """The stored head (what the next append links to), without verifying: cheap, for monitoring."""
    from passage.audit import GENESIS
    from passage.storage.models import AuditHead

    row = AuditHead.objects.filter(id=1).first()
    return {"count": row.seq if row else 0, "head": row.hash if row else GENESIS}
