"""The master key (KEK): 32 bytes that wrap every data and index key, read from the environment or a file.

It fails closed: no key, a malformed key, a key file that group or others can read, or a key that is not
the one the keyring was wrapped by is an error with a message that says which, never a fallback. The
secret never appears in a repr or a message; a key is named by its `key_id`, an HMAC of a fixed label
under the key, which identifies it without revealing it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import stat
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from passage.crypto.errors import KeyringError, MasterKeyError

ENV_KEY = "PASSAGE_MASTER_KEY"
ENV_KEY_FILE = "PASSAGE_MASTER_KEY_FILE"
KEY_BYTES = 32
_NONCE_BYTES = 12
_MAX_FILE_BYTES = 4096
_ID_LABEL = b"passage-master-key-id-v1"


class MasterKey:
    """A key-encryption key. Wraps and unwraps other keys with AES-256-GCM under associated data."""

    __slots__ = ("_aead", "key_id")

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes) or len(secret) != KEY_BYTES:
            raise MasterKeyError(f"a master key is {KEY_BYTES} bytes")
        self._aead = AESGCM(secret)
        self.key_id: str = hmac.new(secret, _ID_LABEL, hashlib.sha256).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id!r})"

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(os.urandom(KEY_BYTES))

    @staticmethod
    def new_base64() -> str:
        """A fresh key as base64 text, for an operator to put in a secret store (never logged)."""
        return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")

    @classmethod
    def from_base64(cls, text: str, *, source: str = ENV_KEY) -> MasterKey:
        try:
            secret = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise MasterKeyError(f"{source}: expected base64 of {KEY_BYTES} bytes; it is not base64") from None
        if len(secret) != KEY_BYTES:
            raise MasterKeyError(f"{source}: expected base64 of {KEY_BYTES} bytes; it decodes to {len(secret)}")
        return cls(secret)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> MasterKey:
        """Read a base64 key from a regular file that only its owner may read or write (mode 600 or 400)."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as error:
            raise MasterKeyError(f"{ENV_KEY_FILE}: cannot open {os.fspath(path)}: {error.strerror}") from None
        try:
            # fstat on the open descriptor: the file checked is the file read (no swap in between)
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise MasterKeyError(f"{ENV_KEY_FILE}: {os.fspath(path)} is not a regular file")
            if mode & 0o077:
                raise MasterKeyError(
                    f"{ENV_KEY_FILE}: {os.fspath(path)} has mode {stat.S_IMODE(mode):o}; group and others must "
                    "have no access (chmod 600)"
                )
            data = os.read(fd, _MAX_FILE_BYTES + 1)
        finally:
            os.close(fd)
        if len(data) > _MAX_FILE_BYTES:
            raise MasterKeyError(f"{ENV_KEY_FILE}: {os.fspath(path)} is too large to be a key file")
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            raise MasterKeyError(f"{ENV_KEY_FILE}: expected base64 text of {KEY_BYTES} bytes") from None
        return cls.from_base64(text, source=ENV_KEY_FILE)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> MasterKey:
        """The key from `PASSAGE_MASTER_KEY` (base64) or `PASSAGE_MASTER_KEY_FILE` (a path); exactly one."""
        env = os.environ if environ is None else environ
        inline, path = env.get(ENV_KEY, ""), env.get(ENV_KEY_FILE, "")
        if inline and path:
            raise MasterKeyError(f"set one of {ENV_KEY} and {ENV_KEY_FILE}, not both")
        if inline:
            return cls.from_base64(inline)
        if path:
            return cls.from_file(path)
        raise MasterKeyError(
            f"no master key: set {ENV_KEY} (base64 of {KEY_BYTES} bytes) or {ENV_KEY_FILE} (a file only its owner "
            "can read); Passage will not store personal data without one"
        )

    def wrap(self, key: bytes, associated_data: bytes) -> bytes:
        """`nonce | ciphertext | tag` of `key` under this master key."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, key, associated_data)

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        try:
            return self._aead.decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], associated_data)
        except (InvalidTag, ValueError):
            # ValueError: a nonce cut short by a truncated record; either way the record is not usable
            raise KeyringError("a wrapped key failed authentication: the keyring record was altered") from None
