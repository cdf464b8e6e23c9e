"""The field token format and the associated data every token is bound to.

A token is `version (1 byte) | key id (16) | nonce (12) | ciphertext and GCM tag (>= 16)`. The parser
accepts exactly that and raises `MalformedToken` for anything else, whatever the input; it never decrypts.
The associated data binds table, column, row id, key id and version, each length-prefixed so that no two
different contexts encode to the same bytes: a token copied to another row or column fails authentication.
"""

from __future__ import annotations

from dataclasses import dataclass

from passage.crypto.errors import InvalidContext, MalformedToken

VERSION = 1
KEY_ID_BYTES = 16
NONCE_BYTES = 12  # 96-bit nonces, the size GCM is specified for (NIST SP 800-38D s.8.2.2)
TAG_BYTES = 16
HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES
MIN_TOKEN_BYTES = HEADER_BYTES + TAG_BYTES
_AAD_LABEL = b"passage-field"


@dataclass(frozen=True)
class Token:
    """A parsed token. `ciphertext` includes the 16-byte GCM tag."""

    key_id: bytes
    nonce: bytes
    ciphertext: bytes
    version: int = VERSION

    def to_bytes(self) -> bytes:
        return bytes([self.version]) + self.key_id + self.nonce + self.ciphertext


def parse_token(data: object) -> Token:
    """Split a token into its parts; `MalformedToken` for anything that is not a version-1 token."""
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)  # PostgreSQL drivers hand BinaryField values back as memoryview
    if not isinstance(data, bytes):
        raise MalformedToken(f"a token is bytes; got {type(data).__name__}")
    if len(data) < MIN_TOKEN_BYTES:
        raise MalformedToken(f"a token is at least {MIN_TOKEN_BYTES} bytes; got {len(data)}")
    if data[0] != VERSION:
        raise MalformedToken(f"unknown token version {data[0]}; this build reads version {VERSION}")
    return Token(
        key_id=data[1 : 1 + KEY_ID_BYTES],
        nonce=data[1 + KEY_ID_BYTES : HEADER_BYTES],
        ciphertext=data[HEADER_BYTES:],
    )


def token_key_id(data: object) -> str:
    """The id (hex) of the data key a token was encrypted under: how a re-encryption job finds stragglers."""
    return parse_token(data).key_id.hex()


def _text(name: str, value: object) -> bytes:
    if not isinstance(value, str) or not value:
        raise InvalidContext(f"{name}: expected a non-empty string; got {type(value).__name__}")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidContext(f"{name}: expected text encodable as UTF-8") from None


@dataclass(frozen=True)
class FieldContext:
    """Where an encrypted value lives: the table, the column and the row's id (its primary key as text).

    The row id must be known before the value is encrypted, so encrypted tables use client-generated
    primary keys (UUIDs), not database sequences.
    """

    table: str
    column: str
    row_id: str

    def __post_init__(self) -> None:
        for name in ("table", "column", "row_id"):
            _text(name, getattr(self, name))

    def associated_data(self, key_id: bytes, version: int = VERSION) -> bytes:
        """The bytes GCM authenticates alongside the ciphertext (never encrypted, never stored)."""
        parts = (
            _AAD_LABEL,
            bytes([version]),
            key_id,
            self.table.encode("utf-8"),
            self.column.encode("utf-8"),
            self.row_id.encode("utf-8"),
        )
        return b"".join(len(part).to_bytes(4, "big") + part for part in parts)
