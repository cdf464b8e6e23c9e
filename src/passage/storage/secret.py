"""`Secret`: a model attribute whose value is kept only encrypted, in the BinaryField `<name>_enc`.

    class Person(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        passport_number_enc = models.BinaryField(null=True)
        passport_number = Secret()

Reading `person.passport_number` decrypts; assigning encrypts at once, so plaintext never reaches the
database, a query log or a fixture dump. The associated data binds table, column, row id and key id
(passage.crypto.FieldContext): a token copied to another row or column fails to decrypt. The row id must
exist before the first assignment, so encrypted models use client-side UUID primary keys.
`None` and "" are stored as NULL (nothing to protect, and "absent" stays distinguishable from "secret").
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.db import models

from passage.crypto import FieldContext
from passage.storage.keys import vault


def field_context(instance: models.Model, column: str) -> FieldContext:
    if instance.pk is None:
        raise ValueError(f"{type(instance).__name__}: an encrypted field needs the row id first")
    return FieldContext(table=instance._meta.db_table, column=column, row_id=str(instance.pk))


class Secret:
    """Descriptor over the encrypted column `<name>_enc` (text values). Subclasses change only how a value
    becomes plaintext (`_encoded`) and back (`_read`); the column, the context and the key are the same."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.column = f"{name}_enc"

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        token = getattr(instance, self.column)
        if token is None:
            return None
        return self._read(bytes(token), field_context(instance, self.column))

    def __set__(self, instance: models.Model, value: Any) -> None:
        plaintext = self._encoded(value)
        token = None if not plaintext else vault().encrypt_field(plaintext, field_context(instance, self.column))
        setattr(instance, self.column, token)

    def _read(self, token: bytes, context: FieldContext) -> Any:
        return vault().decrypt_text(token, context)

    def _encoded(self, value: Any) -> str | bytes | None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{self.name}: expected text, got {type(value).__name__}")
        return value


class SecretJson(Secret):
    """The same, for a JSON document (facts, a determination): encrypted as its canonical UTF-8 JSON (keys
    sorted, no whitespace)."""

    def _read(self, token: bytes, context: FieldContext) -> Any:
        return json_loads(vault().decrypt_field(token, context))

    def _encoded(self, value: Any) -> bytes | None:
        if value is None:
            return None
        return value if isinstance(value, JsonText) else json_dumps(value)


# orjson, because a re-run writes tens of kilobytes of JSON per changed person (an assessment's result) and
# reads every open person's receipt: the standard library's encoder and decoder took about 0.7 ms each per
# result, orjson a tenth of that. The options keep what `json.dumps(value, sort_keys=True,
# ensure_ascii=False, default=str)` wrote for the values we store: dates, datetimes and dataclasses go to
# `default=str` as before (orjson would otherwise write them its own way), non-string keys become strings.
# Whitespace differs (none here): every reader parses the document, none compares its text.
_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


class JsonText(bytes):
    """A document already encoded by `json_dumps` (e.g. in a worker process): a SecretJson stores it as is."""


def json_dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:  # what orjson refuses (an integer beyond 64 bits): the standard encoder
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def json_loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # NaN or a huge integer written by the standard encoder before orjson
        return json.loads(data.decode("utf-8"))
