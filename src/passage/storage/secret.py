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

from typing import Any

from django.db import models

from passage.crypto import FieldContext
from passage.storage.keys import vault


def field_context(instance: models.Model, column: str) -> FieldContext:
    if instance.pk is None:
        raise ValueError(f"{type(instance).__name__}: an encrypted field needs the row id first")
    return FieldContext(table=instance._meta.db_table, column=column, row_id=str(instance.pk))


class Secret:
    """Descriptor over the encrypted column `<name>_enc` (text values)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.column = f"{name}_enc"

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        token = getattr(instance, self.column)
        if token is None:
            return None
        return vault().decrypt_text(bytes(token), field_context(instance, self.column))

    def __set__(self, instance: models.Model, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{self.name}: expected text, got {type(value).__name__}")
        token = None if not value else vault().encrypt_field(value, field_context(instance, self.column))
        setattr(instance, self.column, token)


class SecretJson(Secret):
    """The same, for a JSON document (facts, a determination): encrypted as its canonical UTF-8 JSON."""

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        import json

        text = super().__get__(instance, owner)
        if instance is None or text is None or isinstance(text, Secret):
            return text
        return json.loads(text)

    def __set__(self, instance: models.Model, value: Any) -> None:
        import json

        text = None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        super().__set__(instance, text)
