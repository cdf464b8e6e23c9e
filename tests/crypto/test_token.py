"""The token format and its parser: exactly version 1 tokens parse; every other input is `MalformedToken`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passage.crypto import FieldContext, InvalidContext, MalformedToken, Token, parse_token, token_key_id
from passage.crypto.token import MIN_TOKEN_BYTES


def well_formed(body: bytes = b"c" * 16) -> bytes:
    return Token(key_id=b"k" * 16, nonce=b"n" * 12, ciphertext=body).to_bytes()


class TestParseToken:
    def test_splits_a_token_into_its_parts(self) -> None:
        """A version-1 token parses into key id, nonce and ciphertext, and re-encodes to the same bytes."""
        token = parse_token(well_formed(b"x" * 20))
        assert (token.version, token.key_id, token.nonce, token.ciphertext) == (1, b"k" * 16, b"n" * 12, b"x" * 20)
        assert token.to_bytes() == well_formed(b"x" * 20)

    def test_accepts_bytearray_and_memoryview(self) -> None:
        """The buffer types database drivers return are read like bytes."""
        assert (
            parse_token(bytearray(well_formed()))
            == parse_token(memoryview(well_formed()))
            == parse_token(well_formed())
        )

    @pytest.mark.parametrize("value", ["text", 12, None, [1, 2]])
    def test_rejects_what_is_not_bytes(self, value: object) -> None:
        """A value that is not bytes is a malformed token, not a TypeError."""
        with pytest.raises(MalformedToken, match=f"a token is bytes; got {type(value).__name__}$"):
            parse_token(value)

    def test_rejects_a_token_too_short_for_a_tag(self) -> None:
        """A token shorter than header plus tag is malformed."""
        with pytest.raises(MalformedToken, match="at least"):
            parse_token(well_formed()[: MIN_TOKEN_BYTES - 1])

    def test_rejects_an_unknown_version(self) -> None:
        """A version byte other than 1 is malformed (no silent downgrade or upgrade)."""
        with pytest.raises(MalformedToken, match="unknown token version 2"):
            parse_token(b"\x02" + well_formed()[1:])

    def test_names_the_key_a_token_was_made_under(self) -> None:
        """token_key_id gives the key id as hex."""
        assert token_key_id(well_formed()) == (b"k" * 16).hex()

    @given(st.binary(max_size=200))
    def test_no_bytes_make_the_parser_raise_anything_else(self, data: bytes) -> None:
        """For every byte string the parser returns a token or raises MalformedToken, nothing else."""
        try:
            token = parse_token(data)
        except MalformedToken:
            return
        assert token.to_bytes() == data


class TestFieldContext:
    def test_binds_every_part_unambiguously(self) -> None:
        """Contexts that differ in any part, or only in where a boundary falls, give different associated data."""
        key = b"k" * 16
        contexts = [
            FieldContext("a", "bc", "1"),
            FieldContext("ab", "c", "1"),
            FieldContext("a", "b", "c1"),
            FieldContext("a", "bc", "2"),
        ]
        encoded = {c.associated_data(key) for c in contexts}
        assert len(encoded) == len(contexts)
        assert FieldContext("a", "bc", "1").associated_data(b"j" * 16) not in encoded

    @pytest.mark.parametrize(
        ("table", "column", "row_id"),
        [("", "c", "1"), ("t", "", "1"), ("t", "c", ""), ("t", "c", 1), ("t", "c", "\ud800")],
    )
    def test_rejects_empty_or_non_text_parts(self, table: str, column: str, row_id: str) -> None:
        """Every part is non-empty UTF-8 text; a row id passed as an int is refused, not silently converted."""
        with pytest.raises(InvalidContext):
            FieldContext(table, column, row_id)

    @pytest.mark.parametrize(
        ("parts", "problem"),
        [
            (("", "c", "1"), "^table: expected a non-empty string; got str$"),
            (("t", None, "1"), "^column: expected a non-empty string; got NoneType$"),
            (("t", "c", 1), "^row_id: expected a non-empty string; got int$"),
            (("t", "c", "\ud800"), "^row_id: expected text encodable as UTF-8$"),
        ],
    )
    def test_the_error_names_the_part_and_the_problem(self, parts: tuple[object, ...], problem: str) -> None:
        """A developer passing a wrong context learns which part is wrong and what was passed."""
        with pytest.raises(InvalidContext, match=problem):
            FieldContext(*parts)  # type: ignore[arg-type]
