"""Where the encrypted values are: every `*_enc` column with a `Secret` descriptor, and the attachment files.

Discovered from the installed models, so a new encrypted field is rotated, retired, exported and scanned
without editing this module. Call only after `setup_django()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ATTACHMENT_TABLE = "cases_attachment"
ATTACHMENT_COLUMN = "content"  # the file itself: FieldContext("cases_attachment", "content", <attachment id>)


@dataclass(frozen=True)
class EncryptedColumn:
    model: Any  # a Django model class
    column: str  # the attname of the BinaryField, e.g. "passport_number_enc"

    @property
    def table(self) -> str:
        return str(self.model._meta.db_table)

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}"


def encrypted_columns() -> list[EncryptedColumn]:
    """Every model field `<name>_enc` whose model declares `<name> = Secret()` (or SecretJson), sorted."""
    from django.apps import apps

    from passage.storage.secret import Secret

    found: dict[str, EncryptedColumn] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        columns = {field.attname for field in model._meta.concrete_fields}
        for klass in model.__mro__:
            for value in vars(klass).values():
                if isinstance(value, Secret) and value.column in columns:
                    column = EncryptedColumn(model, value.column)
                    found[column.label] = column
    return [found[label] for label in sorted(found)]


def attachment_dir() -> Path:
    """The upload store: PASSAGE_DATA_DIR/attachments (outside the web root)."""
    from passage.web import config

    return Path(config.value("PASSAGE_DATA_DIR")) / "attachments"


def attachment_files() -> Iterator[tuple[str, Path]]:
    """(attachment id, path of its encrypted file) for every attachment row whose file exists."""
    from django.apps import apps

    try:
        model = apps.get_model("cases", "Attachment")
    except LookupError:  # pragma: no cover - the cases app is always installed
        return
    root = attachment_dir()
    for pk, stored_name in model._base_manager.order_by("pk").values_list("pk", "stored_name").iterator():
        path = root / stored_name
        if path.is_file():
            yield str(pk), path
