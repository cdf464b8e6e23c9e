"""Loader of Global Affairs Canada's Consolidated Canadian Autonomous Sanctions List (sema-lmes.xml).

The file is a flat `<data-set>` of `<record>` elements without attributes. Since August 2026 element names
are bilingual (`<LastName-NomDeFamille>`, `<GivenName-Prenom>`, `<EntityOrShip-EntiteOuNavire>`,
`<Country-Pays>` "Belarus / Bélarus", `<Schedule-Annexe>` "1, Part 1", `<Item-NumeroDarticle>`,
`<DateOfListing-DateDinscription>`, `<Aliases-Alias>`, `<DateOfBirthOrShipBuildDate-...>`); before that
they were English only (`<LastName>` ...). Fields are matched on the English part before the first hyphen,
so both work. Every record must have a country, a schedule, an item, a listing date and a name (a last
name, or an entity/ship name); otherwise `ListFormatError` names the file, the record and the field.
The loader reads a local file only: fetching the list is the caller's business.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from passage.screening.entries import ListedEntry
from passage.screening.errors import ListFormatError

_FIELDS = {
    "country": "country",
    "lastname": "last_name",
    "givenname": "given_name",
    "entityorship": "entity",
    "entity": "entity",
    "aliases": "aliases",
    "dateofbirthorshipbuilddate": "born",
    "schedule": "schedule",
    "item": "item",
    "dateoflisting": "listed_on",
    "titleorshiptype": "title",
    "shipimonumber": "imo",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _field_name(tag: str) -> str | None:
    english = tag.split("}")[-1].split("-")[0].replace("_", "").lower()
    return _FIELDS.get(english)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "_", value.lower()).strip("_")


def _english(value: str) -> str:
    """'Belarus / Bélarus' -> 'Belarus'."""
    return value.split(" / ")[0].strip()


def _split_aliases(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in re.split(r";|\s/\s|\n", value) if a.strip())


def parse_consolidated_list(
    xml_bytes: bytes, file: str, country: str | None = "Belarus"
) -> list[ListedEntry]:
    """Entries of a sema-lmes.xml document (only those of `country` unless it is None)."""
    if b"<!DOCTYPE" in xml_bytes[:2048] or b"<!ENTITY" in xml_bytes:
        raise ListFormatError(file, "(document)", "no DOCTYPE or entity declarations (the GAC list has none)")
    try:
        # DTDs and entity declarations are refused above, so no entity expansion can happen here.
        root = ET.fromstring(xml_bytes)  # noqa: S314  # nosec B314
    except ET.ParseError as exc:
        line, column = exc.position
        raise ListFormatError(file, f"line {line}, column {column}", f"well-formed XML ({exc})") from None
    except (LookupError, ValueError) as exc:
        raise ListFormatError(file, "(document)", f"XML in a known encoding ({exc})") from None
    if root.tag.split("}")[-1] != "data-set":
        raise ListFormatError(file, "(document)", f"a <data-set> root element, not <{root.tag}>")
    entries: list[ListedEntry] = []
    for number, record in enumerate(root, start=1):
        if record.tag.split("}")[-1] != "record":
            raise ListFormatError(file, f"element #{number}", f"a <record>, not <{record.tag}>")
        fields: dict[str, str] = {}
        for child in record:
            name = _field_name(child.tag)
            if name is not None and child.text and child.text.strip():
                fields[name] = child.text.strip()
        where = f"record #{number}" + (f" (item {fields['item']})" if "item" in fields else "")
        for required, expected in (
            ("country", "<Country-Pays>"),
            ("schedule", "<Schedule-Annexe>"),
            ("item", "<Item-NumeroDarticle>"),
            ("listed_on", "<DateOfListing-DateDinscription>"),
        ):
            if required not in fields:
                raise ListFormatError(file, where, f"missing {expected}")
        if "last_name" not in fields and "entity" not in fields:
            raise ListFormatError(
                file, where, "a name: <LastName-NomDeFamille> or <EntityOrShip-EntiteOuNavire>"
            )
        if not _DATE.match(fields["listed_on"]):
            raise ListFormatError(
                file, where, f"<DateOfListing-DateDinscription> as YYYY-MM-DD, not {fields['listed_on']!r}"
            )
        try:
            listed_on = date.fromisoformat(fields["listed_on"])
        except ValueError:
            raise ListFormatError(
                file, where, f"a real date in <DateOfListing-DateDinscription>, not {fields['listed_on']!r}"
            ) from None
        regime = _english(fields["country"])
        if country is not None and regime.casefold() != country.casefold():
            continue
        individual = "last_name" in fields
        name = (
            " ".join(p for p in (fields.get("given_name"), fields.get("last_name")) if p)
            if individual
            else fields["entity"]
        )
        item = fields["item"]
        entries.append(
            ListedEntry(
                id=f"gac-{_slug(regime)}-{_slug(fields['schedule'])}-{item}",
                name=name,
                kind="individual" if individual else "entity",
                aliases=_split_aliases(fields.get("aliases", "")),
                born=fields.get("born"),
                listed_on=listed_on,
                part=fields["schedule"],
                item=int(item) if item.isdigit() else None,
                source="gac-consolidated-sanctions-list",
                regime=regime,
            )
        )
    return entries


def load_consolidated_list(path: Path | str, country: str | None = "Belarus") -> list[ListedEntry]:
    """Entries of the sema-lmes.xml file at `path` (only `country`'s, by default Belarus)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ListFormatError(str(file), "(file)", f"a readable file ({exc.strerror or exc})") from None
    return parse_consolidated_list(data, str(file), country)
