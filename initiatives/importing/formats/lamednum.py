"""LaMednum: the national standard of digital-inclusion places ("lieux de médiation
numérique", Table Schema v1.0.2, Licence Ouverte), as CSV or as its JSON form (a list of
objects with the same fields). Rows are first validated against the schema with
frictionless; a row the schema refuses is reported with the schema's reason.

Services, typology, specific support, costs, access and support modes map onto our themes,
actor types, step-free access, economic model, use without internet and collaboration mode.
E-mail addresses and phone numbers are not read.
"""

import csv
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from initiatives.choices import Licence
from initiatives.importing.formats.base import (
    Format,
    FormatError,
    ImportOptions,
    SourceRecord,
    json_items,
    text,
)
from initiatives.importing.formats.common import first_url, joined, shorten
from initiatives.importing.formats.tabular import csv_rows
from initiatives.importing.vocabulary import ValueMapping

SCHEMA_PATH = Path(settings.BASE_DIR) / "fixtures" / "formats" / "lamednum-schema-v1.0.2.json"

SERVICE_THEMES = {
    "Aide aux démarches administratives": ["digital_inclusion", "care_mutual_aid"],
    "Maîtrise des outils numériques du quotidien": ["digital_inclusion"],
    "Insertion professionnelle via le numérique": ["digital_inclusion", "skills_education"],
    "Utilisation sécurisée du numérique": ["digital_inclusion"],
    "Parentalité et éducation avec le numérique": ["digital_inclusion", "skills_education"],
    "Loisirs et créations numériques": ["digital_inclusion", "culture"],
    "Compréhension du monde numérique": ["digital_inclusion"],
    "Accès internet et matériel informatique": ["digital_inclusion"],
    "Acquisition de matériel informatique à prix solidaire": [
        "digital_inclusion",
        "repair_reuse",
    ],
    "TIERS_LIEUX": ["third_place"],
}
PUBLIC = ["public"]
TYPOLOGY_ACTORS = {
    "ASSO": ["associative"],
    "CCAS": PUBLIC, "CIAS": PUBLIC, "CD": PUBLIC, "EPCI": PUBLIC, "MUNI": PUBLIC,
    "PREF": PUBLIC, "REG": PUBLIC, "BIB": PUBLIC, "CAF": PUBLIC, "FT": PUBLIC, "PE": PUBLIC,
    "ML": PUBLIC, "MDS": PUBLIC, "MDPH": PUBLIC, "RFS": PUBLIC, "SPIP": PUBLIC, "CHU": PUBLIC,
    "MDE": PUBLIC, "MDEF": PUBLIC, "PIJ_BIJ": PUBLIC, "CPAM": PUBLIC, "MSA": PUBLIC,
    "UDAF": ["associative"], "CS": ["associative"], "MJC": ["associative"],
    "MQ": ["associative"], "CIDFF": ["associative"], "PIMMS": ["associative"],
    "ESS": ["associative"], "ACI": ["associative"], "EI": ["private"], "ETTI": ["private"],
    "OF": ["private"], "GEIQ": ["associative"], "TIERS_LIEUX": [],
}  # fmt: skip
COSTS = {"Gratuit": ["free"], "Gratuit sous condition": ["free"], "Payant": ["paid"]}
WITHOUT_INTERNET = {"Se présenter", "Téléphoner"}


def _items(value) -> list[str]:
    return [item.strip() for item in str(value or "").split("|") if item.strip()]


def _collaboration_mode(modes: list[str]) -> str:
    remote = "À distance" in modes
    on_site = any(mode != "À distance" for mode in modes)
    if remote and on_site:
        return "hybrid"
    return "digital" if remote else "in_person" if on_site else ""


def row_record(line: int, row: dict, error: str | None = None) -> SourceRecord:
    services, typology = _items(row.get("services")), _items(row.get("typologie"))
    support = _items(row.get("prise_en_charge_specifique"))
    access = _items(row.get("modalites_acces"))
    summary = text(row.get("presentation_resume"))
    detail = text(row.get("presentation_detail"))
    return SourceRecord(
        line=line,
        source_id=text(row.get("id")),
        error=error,
        fields={
            "name": text(row.get("nom")),
            "short_description": summary or shorten(detail) or shorten(joined(*services)),
            "description": detail,
            "website": first_url(row.get("site_web")),
            "address": joined(
                row.get("adresse"),
                row.get("complement_adresse"),
                joined(row.get("code_postal"), row.get("commune"), separator=" "),
            ),
            # Every place of the standard is one of digital inclusion.
            "themes": [
                "digital_inclusion",
                *services,
                *[t for t in typology if t == "TIERS_LIEUX"],
            ],
            "actor_types": typology,
            "economic_model": (_items(row.get("frais_a_charge")) or [""])[0],
            "collaboration_mode": _collaboration_mode(_items(row.get("modalites_accompagnement"))),
            "step_free_access": True if "Handicaps moteurs" in support else None,
            "usable_without_internet": True if WITHOUT_INTERNET & set(access) else None,
        },
        lon=row.get("longitude"),
        lat=row.get("latitude"),
        raw={
            name: _items(row.get(name))
            for name in ("publics_specifiquement_adresses", "dispositif_programmes_nationaux")
            if _items(row.get(name))
        },
    )


def schema_errors(path: Path) -> dict[int, str]:
    """{line: reason} for the rows that do not follow the LaMednum schema (frictionless)."""
    from frictionless import Resource, Schema, system

    schema = Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    with system.use_context(trusted=True):
        report = Resource(path=str(path), schema=schema).validate(limit_errors=10**9)
    errors: dict[int, list[str]] = {}
    for row_number, field_name, note, message in report.flatten(
        ["rowNumber", "fieldName", "note", "message"]
    ):
        if row_number is None:
            raise FormatError(_("Not a LaMednum file: %(error)s") % {"error": message})
        errors.setdefault(row_number, []).append(f"{field_name}: {note}")
    return {
        line: _("Not valid against the LaMednum schema: %(errors)s") % {"errors": "; ".join(notes)}
        for line, notes in errors.items()
    }


def _as_csv(path: Path, encoding: str) -> Path:
    """The JSON form written as the standard's CSV, to validate and read it the same way."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    names = [field["name"] for field in schema["fields"]]
    with tempfile.NamedTemporaryFile(
        "w", suffix=".csv", delete=False, encoding="utf-8", newline=""
    ) as handle:
        writer = csv.DictWriter(handle, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        for item in json_items(path, encoding, None):
            item = item if isinstance(item, dict) else {}
            writer.writerow(
                {k: "|".join(map(str, v)) if isinstance(v, list) else v for k, v in item.items()}
            )
    return Path(handle.name)


class LaMednumFormat(Format):
    name = "lamednum"
    licence = Licence.LICENCE_OUVERTE
    attribution = "Lieux de médiation numérique (standard LaMednum)"
    mapping = ValueMapping(
        values={
            "themes": SERVICE_THEMES,
            "actor_types": TYPOLOGY_ACTORS,
            "economic_model": COSTS,
        }
    )

    def records(self, path: Path, options: ImportOptions) -> Iterator[SourceRecord]:
        is_json = path.suffix.lower() == ".json"
        csv_path = _as_csv(path, options.encoding) if is_json else path
        try:
            errors = schema_errors(csv_path)
            for line, row in csv_rows(csv_path, "utf-8" if is_json else options.encoding):
                record = row_record(line, row, errors.get(line))
                if is_json:
                    record.line = line - 1  # the rank of the object in the JSON list
                yield record
        finally:
            if is_json:
                csv_path.unlink(missing_ok=True)
