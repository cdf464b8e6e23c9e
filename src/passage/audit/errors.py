"""The audit package's error: a malformed entry, record, checkpoint or store. Subclasses `PassageError`."""

from __future__ import annotations

from passage.engine.errors import PassageError


class AuditError(PassageError):
    """An audit entry, record, checkpoint or log file that cannot be used as it is."""
