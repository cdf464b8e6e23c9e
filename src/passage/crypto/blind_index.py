"""Keyed blind indexes: an HMAC of a value's normalised form, so equality search works without plaintext.

Each purpose (`person.surname`, `person.passport_number`) gets its own key, derived with HKDF from the
index root key, so the same name in two columns gives unrelated index values and a table of one column's
values says nothing about another's. The normaliser is a hook: the same function must run when a value is
indexed and when it is searched for; the name search will pass one that folds transliterations together.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from passage.crypto.errors import InvalidContext

Normaliser = Callable[[str], str]
_INFO_LABEL = b"passage-blind-index-v1\x00"


def default_normalise(value: str) -> str:
    """NFKC, case-folded, whitespace collapsed: `" Ivan  PETROV "` and `"ivan petrov"` index alike."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def derive_index_key(root_key: bytes, purpose: str) -> bytes:
    if not isinstance(purpose, str) or not purpose:
        raise InvalidContext(f"purpose: expected a non-empty string; got {type(purpose).__name__}")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO_LABEL + purpose.encode("utf-8"))
    return hkdf.derive(root_key)


def index_term(derived_key: bytes, value: str, normalise: Normaliser = default_normalise) -> str:
    """The hex HMAC-SHA256 of `normalise(value)` under a purpose's derived key."""
    if not isinstance(value, str):
        raise InvalidContext(f"a blind index is computed over text; got {type(value).__name__}")
    return hmac.new(derived_key, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()
