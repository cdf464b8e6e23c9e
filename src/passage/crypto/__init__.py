"""passage.crypto — envelope encryption for personal fields and attachments, with keys and rotation.

A pure library (no Django, no database). AES-256-GCM per field with associated data binding table,
column, row id and key id; data keys wrapped by a master key from the environment; keyed blind indexes
for equality search; master-key and data-key rotation. See docs/crypto-and-audit.md.
"""

from passage.crypto.blind_index import Normaliser, default_normalise
from passage.crypto.errors import (
    CryptoError,
    DecryptionFailed,
    InvalidContext,
    KeyringError,
    MalformedToken,
    MasterKeyError,
    UnknownKey,
)
from passage.crypto.keyring import JsonFileKeyring, Keyring, MemoryKeyring, WrappedKey
from passage.crypto.master import ENV_KEY, ENV_KEY_FILE, MasterKey
from passage.crypto.rotation import EncryptedField, reencrypt, rotate_kek
from passage.crypto.token import FieldContext, Token, parse_token, token_key_id
from passage.crypto.vault import Vault

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "CryptoError",
    "DecryptionFailed",
    "EncryptedField",
    "FieldContext",
    "InvalidContext",
    "JsonFileKeyring",
    "Keyring",
    "KeyringError",
    "MalformedToken",
    "MasterKey",
    "MasterKeyError",
    "MemoryKeyring",
    "Normaliser",
    "Token",
    "UnknownKey",
    "Vault",
    "WrappedKey",
    "default_normalise",
    "parse_token",
    "reencrypt",
    "rotate_kek",
    "token_key_id",
]
