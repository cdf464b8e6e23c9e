"""The errors the crypto package reports. Every one subclasses `PassageError`; none carries key material
or plaintext in its message, and none is raised with a partial plaintext anywhere in reach.
"""

from __future__ import annotations

from passage.engine.errors import PassageError


class CryptoError(PassageError):
    """Base of every error from `passage.crypto`."""


class MalformedToken(CryptoError):
    """Bytes that are not a well-formed field token (wrong type, too short, unknown version)."""


class DecryptionFailed(CryptoError):
    """A well-formed token that fails authentication: altered, or bound to another row, column or key."""


class UnknownKey(CryptoError):
    """A token names a data key the keyring does not hold (never created, or removed after rotation)."""


class MasterKeyError(CryptoError):
    """The master key (KEK) is missing, malformed, unsafely stored, or not the one the keyring was wrapped by."""


class KeyringError(CryptoError):
    """The keyring is unreadable, inconsistent, or asked for something it cannot do."""


class InvalidContext(CryptoError):
    """A field context, value or purpose of the wrong type or empty."""
