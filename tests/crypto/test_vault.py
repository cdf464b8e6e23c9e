"""Field encryption (SECURITY-TESTS item 13, library level): AAD binding, tamper detection, nonce
uniqueness, no plaintext in tokens, fail-closed keys; and blind indexes."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from passage.crypto import (
    DecryptionFailed,
    FieldContext,
    InvalidContext,
    KeyringError,
    MalformedToken,
    MasterKey,
    MasterKeyError,
    MemoryKeyring,
    UnknownKey,
    Vault,
    WrappedKey,
    parse_token,
    token_key_id,
)
from passage.crypto.token import HEADER_BYTES, Token
from passage.crypto.vault import unwrap
from tests.crypto.conftest import CANARY

_KEYS = MasterKey.generate()
_RING = MemoryKeyring()
_VAULT = Vault(_RING, _KEYS)
_VAULT.ensure_keys()  # module-level: Hypothesis runs many examples against one vault, not one per example


class TestRoundTrip:
    def test_text_comes_back_as_its_utf8_bytes(self, vault: Vault, ctx: FieldContext) -> None:
        """A str is encrypted as UTF-8 and decrypt_text gives it back; decrypt_field gives the bytes."""
        token = vault.encrypt_field(CANARY, ctx)
        assert vault.decrypt_field(token, ctx) == CANARY.encode("utf-8")
        assert vault.decrypt_text(token, ctx) == CANARY

    @settings(deadline=None)
    @given(st.binary(max_size=4096))
    def test_any_bytes_round_trip(self, value: bytes) -> None:
        """Encrypt-then-decrypt gives back any byte string, the empty one included."""
        ctx = FieldContext("cases_attachment", "content", "row-1")
        assert _VAULT.decrypt_field(_VAULT.encrypt_field(value, ctx), ctx) == value

    def test_a_database_buffer_decrypts(self, vault: Vault, ctx: FieldContext) -> None:
        """A token read back as a memoryview (PostgreSQL BinaryField) decrypts."""
        assert vault.decrypt_field(memoryview(vault.encrypt_field(b"x", ctx)), ctx) == b"x"

    def test_bytes_that_are_not_text_are_refused_as_text(self, vault: Vault, ctx: FieldContext) -> None:
        """decrypt_text on a value stored as non-UTF-8 bytes is an error, not mojibake."""
        with pytest.raises(DecryptionFailed, match="bytes, not text"):
            vault.decrypt_text(vault.encrypt_field(b"\xff\xfe", ctx), ctx)

    @pytest.mark.parametrize("value", [None, 12, ["x"]])
    def test_refuses_values_that_are_not_str_or_bytes(self, vault: Vault, ctx: FieldContext, value: object) -> None:
        """Only str and bytes are encrypted; the error says what was passed instead."""
        with pytest.raises(InvalidContext, match=f"a field value is str or bytes; got {type(value).__name__}$"):
            vault.encrypt_field(value, ctx)  # type: ignore[arg-type]

    def test_refuses_a_context_that_is_not_a_field_context(self, vault: Vault, ctx: FieldContext) -> None:
        """A tuple or a string is not accepted in place of a FieldContext, either way."""
        with pytest.raises(InvalidContext, match=r"^aad: expected a FieldContext$"):
            vault.encrypt_field("x", ("t", "c", "1"))  # type: ignore[arg-type]
        with pytest.raises(InvalidContext, match=r"^aad: expected a FieldContext$"):
            vault.decrypt_field(vault.encrypt_field("x", ctx), "t.c.1")  # type: ignore[arg-type]


class TestAssociatedData:
    def test_the_failure_names_the_field_and_the_likely_causes(self, vault: Vault, ctx: FieldContext) -> None:
        """The error an operator sees names the column and says what can cause it; it shows no value."""
        token = vault.encrypt_field(CANARY, ctx)
        moved = FieldContext(ctx.table, ctx.column, "another-row")
        with pytest.raises(DecryptionFailed) as caught:
            vault.decrypt_field(token, moved)
        assert str(caught.value) == (
            "the value for cases_person.passport_number failed authentication: it was altered, or it belongs "
            "to another row, column or key"
        )

    @pytest.mark.parametrize(
        "other",
        [
            FieldContext("cases_person", "passport_number", "another-row"),
            FieldContext("cases_person", "surname", "0b6c2f0e-4f1e-4a53-9a1d-2f7e8c1b9a10"),
            FieldContext("cases_relative", "passport_number", "0b6c2f0e-4f1e-4a53-9a1d-2f7e8c1b9a10"),
        ],
        ids=["other-row", "other-column", "other-table"],
    )
    def test_a_token_moved_elsewhere_fails(self, vault: Vault, ctx: FieldContext, other: FieldContext) -> None:
        """A ciphertext copied to another row, column or table fails authentication."""
        with pytest.raises(DecryptionFailed, match="failed authentication"):
            vault.decrypt_field(vault.encrypt_field(CANARY, ctx), other)

    def test_a_token_relabelled_with_another_key_id_fails(self, vault: Vault, ctx: FieldContext) -> None:
        """Rewriting the key id in the header to another key the keyring holds fails authentication."""
        token = vault.encrypt_field(CANARY, ctx)
        vault.new_data_key()
        other = bytes.fromhex(vault.active_data_key_id())
        with pytest.raises(DecryptionFailed):
            vault.decrypt_field(token[:1] + other + token[17:], ctx)


class TestTampering:
    def test_every_single_flipped_bit_fails(self, vault: Vault, ctx: FieldContext) -> None:
        """Flipping any one bit of a token gives an error (malformed, unknown key or failed authentication)."""
        token = vault.encrypt_field("Аляксандра", ctx)
        for position in range(len(token) * 8):
            altered = bytearray(token)
            altered[position // 8] ^= 1 << (position % 8)
            with pytest.raises((MalformedToken, UnknownKey, DecryptionFailed)):
                vault.decrypt_field(bytes(altered), ctx)

    def test_a_flipped_ciphertext_bit_fails_authentication(self, vault: Vault, ctx: FieldContext) -> None:
        """A bit flipped in the ciphertext (past the header) is caught by the GCM tag."""
        altered = bytearray(vault.encrypt_field("x", ctx))
        altered[HEADER_BYTES] ^= 0x01
        with pytest.raises(DecryptionFailed):
            vault.decrypt_field(bytes(altered), ctx)

    def test_a_truncated_token_fails(self, vault: Vault, ctx: FieldContext) -> None:
        """A token cut short by one byte fails, and returns no plaintext."""
        token = vault.encrypt_field(b"0123456789", ctx)
        with pytest.raises((DecryptionFailed, MalformedToken)):
            vault.decrypt_field(token[:-1], ctx)

    @settings(deadline=None)
    @given(st.binary(max_size=120))
    def test_no_bytes_make_decryption_raise_anything_but_its_own_errors(self, data: bytes) -> None:
        """Arbitrary bytes given as a token raise a crypto error and never return plaintext."""
        ctx = FieldContext("t", "c", "1")
        with pytest.raises((MalformedToken, UnknownKey, DecryptionFailed)):
            _VAULT.decrypt_field(data, ctx)


class TestNonces:
    def test_no_nonce_repeats_over_a_hundred_thousand_encryptions(self, vault: Vault, ctx: FieldContext) -> None:
        """10^5 encryptions of the same value under one key use 10^5 distinct nonces and give distinct tokens."""
        tokens = [vault.encrypt_field("same", ctx) for _ in range(100_000)]
        assert len({parse_token(t).nonce for t in tokens}) == 100_000
        assert len(set(tokens)) == 100_000


class TestNoPlaintextInTokens:
    def test_the_canary_is_absent_from_every_token(self, vault: Vault, ctx: FieldContext) -> None:
        """No token contains the canary or any 8-byte piece of it, in UTF-8 or UTF-16."""
        canary_bytes = CANARY.encode("utf-8")
        pieces = {canary_bytes[i : i + 8] for i in range(len(canary_bytes) - 7)}
        pieces |= {CANARY.encode("utf-16-le"), b"CANARY", "Алесь".encode()}
        for value in (CANARY, CANARY.encode("utf-8"), CANARY * 50):
            token = vault.encrypt_field(value, ctx)
            assert not any(piece in token for piece in pieces)


class TestWrongKeyFailsClosed:
    def test_a_vault_opened_with_another_master_key_refuses_to_start(
        self, keyring: MemoryKeyring, vault: Vault
    ) -> None:
        """Opening a keyring with a master key that did not wrap it is a MasterKeyError at once."""
        with pytest.raises(MasterKeyError, match="wrapped by master key"):
            Vault(keyring, MasterKey.generate())

    def test_a_token_under_a_key_not_in_the_keyring_is_unknown(self, vault: Vault, ctx: FieldContext) -> None:
        """A token made by another deployment's vault names a key this keyring lacks: UnknownKey."""
        stranger = Vault(MemoryKeyring(), MasterKey.generate())
        stranger.ensure_keys()
        token = stranger.encrypt_field(CANARY, ctx)
        with pytest.raises(
            UnknownKey, match=f"no data key {token_key_id(token)}: it was never made here, or it was removed"
        ):
            vault.decrypt_field(token, ctx)

    def test_a_token_naming_the_index_key_is_unknown(
        self, keyring: MemoryKeyring, vault: Vault, ctx: FieldContext
    ) -> None:
        """The index key is never used to decrypt, even when a token names it."""
        index_id = next(k.key_id for k in keyring.records() if k.kind == "index")
        token = vault.encrypt_field("x", ctx)
        with pytest.raises(UnknownKey):
            vault.decrypt_field(token[:1] + bytes.fromhex(index_id) + token[17:], ctx)

    def test_a_token_sealed_with_the_index_key_is_not_opened(
        self, keyring: MemoryKeyring, master: MasterKey, vault: Vault, ctx: FieldContext
    ) -> None:
        """Key separation: a token really encrypted under the index root key (as someone holding that key could
        forge one) is refused as UnknownKey by a vault opened on the keyring, never decrypted."""
        index = next(k for k in keyring.records() if k.kind == "index")
        key_id = bytes.fromhex(index.key_id)
        nonce = b"\x00" * 12
        sealed = AESGCM(unwrap(index, master)).encrypt(nonce, b"forged", ctx.associated_data(key_id))
        forged = Token(key_id=key_id, nonce=nonce, ciphertext=sealed).to_bytes()
        reopened = Vault(keyring, master)
        with pytest.raises(UnknownKey):
            reopened.decrypt_field(forged, ctx)

    def test_an_altered_wrapped_key_is_refused(self, keyring: MemoryKeyring, master: MasterKey, vault: Vault) -> None:
        """A keyring record whose wrapped bytes were altered fails authentication when the vault opens."""
        record = keyring.records()[0]
        keyring.put(type(record)(**{**record.__dict__, "wrapped": record.wrapped[:-1] + b"\x00"}))
        with pytest.raises(KeyringError, match="altered"):
            Vault(keyring, master)

    def test_a_wrapped_key_moved_to_another_id_is_refused(
        self, keyring: MemoryKeyring, master: MasterKey, vault: Vault
    ) -> None:
        """A wrapped key copied under another key id does not unwrap (the wrapping binds the id)."""
        data, index = sorted(keyring.records(), key=lambda k: k.kind)
        keyring.put(type(index)(**{**index.__dict__, "wrapped": data.wrapped}))
        with pytest.raises(KeyringError):
            Vault(keyring, master)

    def test_encrypting_without_a_data_key_fails(
        self, keyring: MemoryKeyring, master: MasterKey, ctx: FieldContext
    ) -> None:
        """An empty keyring has no active data key: encryption is refused, never done with some default key."""
        with pytest.raises(KeyringError, match="0 active data keys"):
            Vault(keyring, master).encrypt_field("x", ctx)


class TestKeys:
    def test_ensure_keys_is_idempotent(self, keyring: MemoryKeyring, vault: Vault) -> None:
        """A second ensure_keys makes no new key."""
        before = keyring.records()
        vault.ensure_keys()
        assert keyring.records() == before
        assert sorted(k.kind for k in before) == ["data", "index"]

    def test_a_new_data_key_retires_the_old_and_old_tokens_still_decrypt(self, vault: Vault, ctx: FieldContext) -> None:
        """After new_data_key, new tokens use the new key and old tokens still decrypt."""
        old_token = vault.encrypt_field("old", ctx)
        new_id = vault.new_data_key()
        assert vault.active_data_key_id() == new_id
        assert token_key_id(vault.encrypt_field("new", ctx)) == new_id
        assert vault.decrypt_text(old_token, ctx) == "old"

    def test_a_key_made_by_another_process_is_found(
        self, keyring: MemoryKeyring, master: MasterKey, vault: Vault, ctx: FieldContext
    ) -> None:
        """A vault opened before another vault rotated the data key decrypts the other's new tokens."""
        other = Vault(keyring, master)
        other.new_data_key()
        assert vault.decrypt_text(other.encrypt_field("from elsewhere", ctx), ctx) == "from elsewhere"

    def test_only_a_retired_data_key_can_be_removed(self, keyring: MemoryKeyring, vault: Vault) -> None:
        """Removing the active data key, the index key or an unknown key is refused."""
        index_id = next(k.key_id for k in keyring.records() if k.kind == "index")
        for key_id in (vault.active_data_key_id(), index_id):
            with pytest.raises(KeyringError, match="only a retired data key"):
                vault.remove_key(key_id)
        with pytest.raises(UnknownKey, match=f"no key {'0' * 32}"):
            vault.remove_key("0" * 32)

    def test_a_key_made_and_retired_elsewhere_can_be_removed(
        self, keyring: MemoryKeyring, master: MasterKey, vault: Vault, ctx: FieldContext
    ) -> None:
        """A vault removes a retired key that another process made after this vault opened and that this vault
        never used: the removal completes, and tokens under that key are unreadable by both."""
        other = Vault(keyring, master)
        made_elsewhere = other.new_data_key()
        token = other.encrypt_field(CANARY, ctx)
        other.new_data_key()
        vault.remove_key(made_elsewhere)
        assert keyring.get(made_elsewhere) is None
        for reader in (vault, Vault(keyring, master)):
            with pytest.raises(UnknownKey):
                reader.decrypt_field(token, ctx)

    def test_a_removed_key_decrypts_nothing(self, vault: Vault, ctx: FieldContext) -> None:
        """Once a retired key is removed, its tokens raise UnknownKey."""
        old_id = vault.active_data_key_id()
        token = vault.encrypt_field(CANARY, ctx)
        vault.new_data_key()
        vault.remove_key(old_id)
        with pytest.raises(UnknownKey):
            vault.decrypt_field(token, ctx)

    def test_two_active_data_keys_are_an_inconsistent_keyring(
        self, keyring: MemoryKeyring, vault: Vault, ctx: FieldContext
    ) -> None:
        """A keyring with two active data keys is refused rather than guessed at."""
        vault.new_data_key()
        keyring.put(*[type(k)(**{**k.__dict__, "active": True}) for k in keyring.records()])
        with pytest.raises(KeyringError, match="2 active data keys"):
            vault.encrypt_field("x", ctx)

    def test_the_repr_shows_no_key(self, vault: Vault, master: MasterKey) -> None:
        """repr names the master key by its id and counts keys; no key bytes appear."""
        assert repr(vault) == f"Vault(master={master.key_id!r}, keys=1)"


class TestPinnedDataKey:
    def test_the_keyring_is_read_once_for_a_batch(self, master: MasterKey, ctx: FieldContext) -> None:
        """Inside pinned_data_key(), encryptions do not read the keyring again; outside, every one does."""

        class CountingKeyring(MemoryKeyring):
            reads = 0

            def records(self) -> list[WrappedKey]:
                self.reads += 1
                return super().records()

        keyring = CountingKeyring()
        vault = Vault(keyring, master)
        vault.ensure_keys()
        before = keyring.reads
        with vault.pinned_data_key() as key_id:
            tokens = [vault.encrypt_field(f"value {i}", ctx) for i in range(20)]
        assert keyring.reads == before + 1
        assert {token_key_id(token) for token in tokens} == {key_id}
        vault.encrypt_field("one more", ctx)
        vault.encrypt_field("and another", ctx)
        assert keyring.reads == before + 3

    def test_a_rotation_elsewhere_is_seen_by_the_next_batch(
        self, keyring: MemoryKeyring, master: MasterKey, vault: Vault, ctx: FieldContext
    ) -> None:
        """Another process rotating during a batch: the batch finishes under its key (still held, retired but
        decryptable), and the next batch and single writes use the new key."""
        with vault.pinned_data_key() as old_id:
            new_id = Vault(keyring, master).new_data_key()
            during = vault.encrypt_field("during", ctx)
        assert token_key_id(during) == old_id != new_id
        assert vault.decrypt_text(during, ctx) == "during"
        assert token_key_id(vault.encrypt_field("after", ctx)) == new_id
        with vault.pinned_data_key() as pinned:
            assert pinned == new_id

    def test_a_rotation_in_the_block_moves_the_pin_and_nesting_keeps_it(
        self, keyring: MemoryKeyring, master: MasterKey, vault: Vault, ctx: FieldContext
    ) -> None:
        """new_data_key() inside the block pins the new key; an inner block keeps the outer pin; the pin ends
        with the outer block, even when it raises."""

        def batch() -> None:
            with vault.pinned_data_key() as first:
                new_id = vault.new_data_key()
                assert new_id != first
                with vault.pinned_data_key() as inner:
                    assert inner == new_id
                    assert token_key_id(vault.encrypt_field("x", ctx)) == new_id
                assert vault.active_data_key_id() == new_id
                # the block still reads the keyring no more: a rotation elsewhere now is not seen until it ends
                elsewhere = Vault(keyring, master).new_data_key()
                assert token_key_id(vault.encrypt_field("y", ctx)) == new_id != elsewhere
                raise RuntimeError

        with pytest.raises(RuntimeError):
            batch()
        latest = Vault(keyring, master).new_data_key()  # the pin is gone: the keyring is read again
        assert vault.active_data_key_id() == latest

    def test_a_pin_belongs_to_its_thread(self, keyring: MemoryKeyring, master: MasterKey, vault: Vault) -> None:
        """Another thread's encryptions read the keyring as usual while one thread holds a pin."""
        import threading

        seen: list[str] = []
        with vault.pinned_data_key() as pinned:
            new_id = Vault(keyring, master).new_data_key()
            worker = threading.Thread(target=lambda: seen.append(vault.active_data_key_id()))
            worker.start()
            worker.join()
            assert vault.active_data_key_id() == pinned
        assert seen == [new_id]


class TestBlindIndex:
    def test_equal_after_normalising_and_stable(self, vault: Vault) -> None:
        """Case, spacing and compatibility forms do not change the term; the same value always gives it."""
        term = vault.blind_index("Ivan  PETROV", "person.surname")
        assert (
            term
            == vault.blind_index(" ivan petrov ", "person.surname")
            == vault.blind_index("Ｉｖａｎ petrov", "person.surname")
        )
        assert len(term) == 64
        assert "petrov" not in term

    def test_purposes_have_separate_keys(self, vault: Vault) -> None:
        """The same value indexed for two purposes gives unrelated terms."""
        assert vault.blind_index("AB1234567", "person.passport") != vault.blind_index("AB1234567", "person.surname")

    def test_other_keyrings_give_other_terms(self, vault: Vault) -> None:
        """The term depends on the index key: another deployment cannot precompute it."""
        other = Vault(MemoryKeyring(), MasterKey.generate())
        other.ensure_keys()
        assert vault.blind_index("Petrov", "p") != other.blind_index("Petrov", "p")

    def test_the_normaliser_is_a_hook(self, vault: Vault) -> None:
        """A transliteration normaliser makes spellings of one name share a term."""
        fold = {"Пятроў": "piatrou", "Petrov": "piatrou", "Piatrou": "piatrou"}
        terms = {vault.blind_index(name, "person.surname", normalise=lambda v: fold[v]) for name in fold}
        assert len(terms) == 1

    def test_a_new_data_key_does_not_change_the_terms(
        self, keyring: MemoryKeyring, master: MasterKey, vault: Vault
    ) -> None:
        """Data key rotation leaves the blind index as it was (no re-indexing)."""
        before = vault.blind_index("Petrov", "p")
        vault.new_data_key()
        assert Vault(keyring, master).blind_index("Petrov", "p") == before

    @pytest.mark.parametrize(
        ("value", "purpose", "problem"),
        [
            (b"bytes", "p", "a blind index is computed over text; got bytes$"),
            ("x", "", "purpose: expected a non-empty string; got str$"),
            ("x", None, "purpose: expected a non-empty string; got NoneType$"),
        ],
    )
    def test_refuses_non_text(self, vault: Vault, value: object, purpose: object, problem: str) -> None:
        """A value that is not text, or an empty or missing purpose, is refused, saying which and what was given."""
        with pytest.raises(InvalidContext, match=problem):
            vault.blind_index(value, purpose)  # type: ignore[arg-type]
