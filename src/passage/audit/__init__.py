"""passage.audit — a tamper-evident audit log: entries with no field values, a SHA-256 hash chain, signed
checkpoints, and verification that names the first broken record. Storage-agnostic (records in, results
out), with an append-only JSON-lines store for the CLI. See docs/crypto-and-audit.md.
"""

from passage.audit.chain import Chain, Verification, verify
from passage.audit.checkpoint import Checkpoint, sign_checkpoint
from passage.audit.entry import GENESIS, AuditEntry, Record
from passage.audit.errors import AuditError
from passage.audit.store import JsonLinesStore

__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditError",
    "Chain",
    "Checkpoint",
    "JsonLinesStore",
    "Record",
    "Verification",
    "sign_checkpoint",
    "verify",
]
