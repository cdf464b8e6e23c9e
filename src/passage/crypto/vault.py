"""The vault: field encryption and decryption, blind indexes, and key management over a keyring.

Every personal field and attachment is sealed with AES-256-GCM under the active data key (DEK), with a
fresh random 96-bit nonce and associated data binding table, column, row id, key id and token version.
DEKs are stored only wrapped by the master key (KEK). The vault unwraps every key when it opens, so a
wrong or missing master key fails at start-up, not on the first request; after that it keeps unwrapped
keys in memory only. Decryption either returns the whole authenticated plaintext or raises; it never
returns anything on failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from uuid import uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from passage.crypto.blind_index import Normaliser, default_normalise, derive_index_key, index_term
from passage.crypto.errors import DecryptionFailed, InvalidContext, KeyringError, MasterKeyError, UnknownKey
from passage.crypto.keyring import KeyKind, Keyring, WrappedKey, utc_now
from passage.crypto.master import KEY_BYTES, MasterKey
from passage.crypto.token import NONCE_BYTES, FieldContext, Token, parse_token


def _wrong_master(record: WrappedKey, master: MasterKey) -> MasterKeyError:
    return MasterKeyError(
        f"key {record.key_id} is wrapped by master key {record.kek_id}, not by the master key given "
        f"({master.key_id}): the wrong PASSAGE_MASTER_KEY, or a master key rotation not finished"
    )


def unwrap(record: WrappedKey, master: MasterKey) -> bytes:
    """The key inside `record`; `MasterKeyError` if `master` is not the key that wrapped it."""
    if record.kek_id != master.key_id:
        raise _wrong_master(record, master)
    return master.unwrap(record.wrapped, record.wrap_context())


def wrap(key_id: str, kind: KeyKind, secret: bytes, master: MasterKey, *, active: bool) -> WrappedKey:
    record = WrappedKey(key_id, kind, active, master.key_id, b"", utc_now())
    return replace(record, wrapped=master.wrap(secret, record.wrap_context()))


class Vault:
    """Encrypts and decrypts fields with the keys of one keyring, opened with one master key."""

    def __init__(self, keyring: Keyring, master: MasterKey) -> None:
        self._keyring = keyring
        self._master = master
        self._keys: dict[str, bytes] = {}  # data keys only, unwrapped
        self._index_keys: dict[str, bytes] = {}  # purpose -> derived index key
        self._pin = threading.local()  # this thread's pinned active data key id (see pinned_data_key)
        for record in keyring.records():  # fail closed now: every key must open with this master key
            secret = unwrap(record, master)
            if record.kind == "data":
                self._keys[record.key_id] = secret

    def __repr__(self) -> str:
        return f"Vault(master={self._master.key_id!r}, keys={len(self._keys)})"

    # --- keys -------------------------------------------------------------------------------------------

    def _active(self, kind: KeyKind) -> WrappedKey:
        active = [k for k in self._keyring.records() if k.kind == kind and k.active]
        if len(active) != 1:
            raise KeyringError(f"the keyring has {len(active)} active {kind} keys; it needs exactly one (ensure_keys)")
        return active[0]

    def active_data_key_id(self) -> str:
        """Read from the keyring on every call, so a rotation by another process is seen at once; inside
        `pinned_data_key()`, the id read when the block began."""
        pinned: str | None = getattr(self._pin, "key_id", None)
        return pinned if pinned is not None else self._active("data").key_id

    @contextmanager
    def pinned_data_key(self) -> Iterator[str]:
        """Within the block, this thread encrypts under the data key that was active when it began: the keyring
        is read once for a batch of encryptions (a chunk of a re-run), not once per field (each read is a
        database query with the Django keyring). The pin lasts only as long as the block, so a rotation by
        another process is seen by the next batch, as a single write sees it at once; `new_data_key()` in the
        block moves the pin to the new key. Nested blocks keep the outer pin. Other threads are unaffected."""
        outer: str | None = getattr(self._pin, "key_id", None)
        if outer is not None:
            yield outer
            return
        self._pin.key_id = self._active("data").key_id
        try:
            yield self._pin.key_id
        finally:
            self._pin.key_id = None

    def ensure_keys(self) -> None:
        """Create the first data key and the index key of an empty keyring; leave existing ones alone."""
        kinds = {k.kind for k in self._keyring.records() if k.active}
        if "data" not in kinds:
            self.new_data_key()
        if "index" not in kinds:
            secret = os.urandom(KEY_BYTES)
            self._keyring.put(wrap(uuid4().hex, "index", secret, self._master, active=True))

    def new_data_key(self) -> str:
        """Make a new DEK the active one; the previous ones stay for decryption until re-encryption is done."""
        secret = os.urandom(KEY_BYTES)
        record = wrap(uuid4().hex, "data", secret, self._master, active=True)
        retired = [replace(k, active=False) for k in self._keyring.records() if k.kind == "data" and k.active]
        self._keyring.put(*retired, record)
        self._keys[record.key_id] = secret
        if getattr(self._pin, "key_id", None) is not None:
            self._pin.key_id = record.key_id
        return record.key_id

    def remove_key(self, key_id: str) -> None:
        """Delete a retired data key for good (after re-encryption): its tokens can never be read again."""
        record = self._keyring.get(key_id)
        if record is None:
            raise UnknownKey(f"no key {key_id}")
        if record.active or record.kind != "data":
            raise KeyringError(f"key {key_id} is an active or index key; only a retired data key can be removed")
        self._keyring.remove(key_id)
        self._keys.pop(key_id, None)

    def _data_key(self, key_id: str) -> bytes:
        key = self._keys.get(key_id)
        if key is None:
            record = self._keyring.get(key_id)  # perhaps made by another process since this vault opened
            if record is None or record.kind != "data":
                raise UnknownKey(f"no data key {key_id}: it was never made here, or it was removed")
            key = self._keys[key_id] = unwrap(record, self._master)
        return key

    # --- fields -----------------------------------------------------------------------------------------

    def encrypt_field(self, value: str | bytes, aad: FieldContext) -> bytes:
        """A token for `value` (text is stored as UTF-8) bound to `aad` and the active data key."""
        return self._encrypt(value, aad, self.active_data_key_id())

    def _encrypt(self, value: str | bytes, aad: FieldContext, key_id: str) -> bytes:
        if isinstance(value, str):
            value = value.encode("utf-8")
        if not isinstance(value, bytes):
            raise InvalidContext(f"a field value is str or bytes; got {type(value).__name__}")
        if not isinstance(aad, FieldContext):
            raise InvalidContext("aad: expected a FieldContext")
        key_bytes = bytes.fromhex(key_id)
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._data_key(key_id)).encrypt(nonce, value, aad.associated_data(key_bytes))
        return Token(key_id=key_bytes, nonce=nonce, ciphertext=sealed).to_bytes()

    def decrypt_field(self, token: bytes, aad: FieldContext) -> bytes:
        """The plaintext of `token`, or an error: `MalformedToken`, `UnknownKey` or `DecryptionFailed`."""
        parsed = parse_token(token)
        if not isinstance(aad, FieldContext):
            raise InvalidContext("aad: expected a FieldContext")
        key = self._data_key(parsed.key_id.hex())
        try:
            return AESGCM(key).decrypt(parsed.nonce, parsed.ciphertext, aad.associated_data(parsed.key_id))
        except InvalidTag:
            raise DecryptionFailed(
                f"the value for {aad.table}.{aad.column} failed authentication: it was altered, or it belongs "
                "to another row, column or key"
            ) from None

    def decrypt_text(self, token: bytes, aad: FieldContext) -> str:
        plaintext = self.decrypt_field(token, aad)
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptionFailed(f"the value for {aad.table}.{aad.column} is bytes, not text") from None

    # --- search -----------------------------------------------------------------------------------------

    def blind_index(self, value: str, purpose: str, normalise: Normaliser = default_normalise) -> str:
        """A hex term for equality search on `value`; the same purpose and normaliser at write and at search."""
        if purpose not in self._index_keys:
            root = unwrap(self._active("index"), self._master)
            self._index_keys[purpose] = derive_index_key(root, purpose)
        return index_term(self._index_keys[purpose], value, normalise)
