"""Known answers: fixed keys in, fixed bytes out, for everything Passage writes down and must read back.

Tokens, blind index terms and master key ids are stored (in the database, in the keyring). A change to how
any of them is computed would make every stored value unreadable or unsearchable after an upgrade, so each is
pinned here to the bytes version 1 produces, and where a standard defines the construction (HKDF, RFC 5869;
HMAC-SHA256) the expected value is also recomputed from that definition with the standard library.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from passage.crypto import DecryptionFailed, FieldContext, MasterKey, MemoryKeyring, Vault, default_normalise
from passage.crypto.blind_index import derive_index_key, index_term
from passage.crypto.vault import wrap

ROOT = bytes(range(32))
KEY_ID = bytes.fromhex("00112233445566778899aabbccddeeff")
CONTEXT = FieldContext("cases_person", "passport_number", "0b6c2f0e-4f1e-4a53-9a1d-2f7e8c1b9a10")
# "AB1234567" encrypted by version 1 under data key bytes 100..131, key id KEY_ID, nonce bytes 0..11
TOKEN_V1 = bytes.fromhex(
    "01" "00112233445566778899aabbccddeeff" "000102030405060708090a0b"
    "dee9097e8e79f4dfaaaf2118990562744b544d68e6513b7047"
)  # fmt: skip


def hkdf_sha256(key: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 with no salt (a string of zeros), written out from the RFC."""
    prk = hmac.new(b"\x00" * 32, key, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm, counter = okm + block, counter + 1
    return okm[:length]


class TestAssociatedData:
    def test_is_the_documented_length_prefixed_encoding(self) -> None:
        """Label, version, key id, table, column and row id, each after its length as 4 big-endian bytes."""

        def part(data: bytes) -> bytes:
            return len(data).to_bytes(4, "big") + data

        expected = b"".join(
            part(p)
            for p in (
                b"passage-field",
                b"\x01",
                KEY_ID,
                b"cases_person",
                b"passport_number",
                b"0b6c2f0e-4f1e-4a53-9a1d-2f7e8c1b9a10",
            )
        )
        assert CONTEXT.associated_data(KEY_ID) == expected
        assert CONTEXT.associated_data(KEY_ID)[:22] == bytes.fromhex("0000000d706173736167652d6669656c640000000101")

    def test_non_ascii_parts_are_counted_in_utf8_bytes(self) -> None:
        """A row id in Cyrillic is bound by its UTF-8 bytes, and its prefix counts bytes, not characters."""
        row_id = "Лукашэвіч"
        assert (
            FieldContext("t", "c", row_id)
            .associated_data(KEY_ID)
            .endswith((18).to_bytes(4, "big") + row_id.encode("utf-8"))
        )


class TestStoredTokens:
    def vault(self) -> Vault:
        master = MasterKey(ROOT)
        keyring = MemoryKeyring()
        keyring.put(wrap(KEY_ID.hex(), "data", bytes(range(100, 132)), master, active=True))
        return Vault(keyring, master)

    def test_a_version_1_token_still_decrypts(self) -> None:
        """A token written by version 1 decrypts to its value in its own row, and in no other row."""
        vault = self.vault()
        assert vault.decrypt_text(TOKEN_V1, CONTEXT) == "AB1234567"
        with pytest.raises(DecryptionFailed):
            vault.decrypt_field(TOKEN_V1, FieldContext(CONTEXT.table, CONTEXT.column, "another-row"))

    def test_a_new_token_has_the_version_1_layout(self) -> None:
        """version 1 | key id | 12-byte nonce | ciphertext and 16-byte tag: 1 + 16 + 12 + len + 16 bytes."""
        token = self.vault().encrypt_field("AB1234567", CONTEXT)
        assert token[0] == 1
        assert token[1:17] == KEY_ID
        assert len(token) == 1 + 16 + 12 + len("AB1234567") + 16


class TestBlindIndexKnownAnswers:
    def test_the_purpose_key_is_hkdf_sha256_of_the_root(self) -> None:
        """The per-purpose key is 32 bytes of HKDF-SHA256(root, info = label NUL purpose)."""
        derived = derive_index_key(ROOT, "person.surname")
        assert derived == hkdf_sha256(ROOT, b"passage-blind-index-v1\x00person.surname")
        assert derived.hex() == "ff02be18e2e61e90432d1a185e8a612e919d3a85a9ce6b265637866affdc34e1"

    def test_the_term_is_the_hmac_of_the_normalised_value(self) -> None:
        """The term is hex HMAC-SHA256 of the normalised value's UTF-8 bytes under the purpose key."""
        derived = derive_index_key(ROOT, "person.surname")
        term = index_term(derived, " Ivan  PETROV ")
        assert term == hmac.new(derived, b"ivan petrov", hashlib.sha256).hexdigest()
        assert term == "c83e59920a168d769f28ef274c8d0de152a39a510e5dd519def5bada87a66d51"

    def test_different_values_give_different_terms(self) -> None:
        """A search for one surname does not find another (the term depends on the value)."""
        derived = derive_index_key(ROOT, "person.surname")
        assert len({index_term(derived, name) for name in ("Petrov", "Ivanov", "Piatrou", "Пятроў")}) == 4

    def test_default_normalise(self) -> None:
        """Compatibility forms, case and runs of whitespace fold to one lower-case, single-spaced form."""
        assert default_normalise(" Ｉｖａｎ \t PETROV  Jr ") == "ivan petrov jr"


class TestMasterKeyId:
    def test_is_the_first_16_hex_of_an_hmac_of_the_label(self) -> None:
        """Keyring records name their master key by this id: it must stay the same across versions."""
        expected = hmac.new(ROOT, b"passage-master-key-id-v1", hashlib.sha256).hexdigest()[:16]
        assert MasterKey(ROOT).key_id == expected == "dd573ad8d06516b9"
