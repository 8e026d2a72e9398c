"""What the data page and the Table Schema say about the open data: fields, code lists,
licence and sources. Built from COLUMNS and initiatives.choices, in the request's language."""

from django.conf import settings
from django.utils.translation import gettext as _

from initiatives.choices import definition
from opendata.columns import COLUMNS, LIST_SEPARATOR, Column


def _enum_pattern(column: Column) -> str:
    values = "|".join(column.choices.values)
    return f"^(({values})(\\{LIST_SEPARATOR}({values}))*)?$"


def _field(column: Column) -> dict:
    field = {"name": column.name, "type": column.type, "description": str(column.description)}
    if column.type == "datetime":
        field["format"] = "%Y-%m-%dT%H:%M:%SZ"
    field.update({key: value for key, value in column.extra})
    if column.choices is not None and column.multiple:
        field["constraints"] = {"pattern": _enum_pattern(column)}
        field["description"] += " " + _("Several codes are joined with “|”.")
    elif column.choices is not None:
        field["constraints"] = {"enum": ["", *column.choices.values]}
    elif column.multiple:
        field["description"] += " " + _("Several values are joined with “|”.")
    if column.choices is not None:
        field["codeList"] = column.choices.__name__
    return field


def table_schema(*, csv_url: str) -> dict:
    """A Frictionless Table Schema (v1) for initiatives.csv. Empty cells mean unknown."""
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": "initiatives",
        "title": _("Local collaborative initiatives"),
        "path": csv_url,
        "licenses": [
            {"title": settings.OPEN_DATA_LICENCE["name"], "path": settings.OPEN_DATA_LICENCE["url"]}
        ],
        "missingValues": [""],
        "primaryKey": "id",
        "fields": [_field(column) for column in COLUMNS],
    }


def code_lists() -> list[dict]:
    """Every code list used by a column, with each code's label and definition."""
    seen, lists = set(), []
    for column in COLUMNS:
        if column.choices is None or column.choices in seen:
            continue
        seen.add(column.choices)
        codes = [
            {
                "code": value,
                "label": str(label),
                "definition": str(definition(column.choices, value)),
            }
            for value, label in column.choices.choices
        ]
        lists.append({"name": column.choices.__name__, "column": column.name, "codes": codes})
    return lists


def data_sources() -> list[dict]:
    """The sources of the real data shipped with the radar (fixtures/gironde/SOURCES.md)."""
    etalab = "Licence Ouverte / Open Licence 2.0 (Etalab)"
    return [
        {
            "what": _("Commune boundaries (simplified)"),
            "source": _("IGN Admin Express 2018, simplified by the france-geojson project"),
            "licence": etalab,
        },
        {
            "what": _("Legal populations 2023 (population municipale)"),
            "source": "INSEE, via datagouv/decoupage-administratif",
            "licence": etalab,
        },
        {
            "what": _("Intercommunality (EPCI) membership 2025"),
            "source": "DGCL, via datagouv/decoupage-administratif",
            "licence": etalab,
        },
        {
            "what": _("Third places census 2019 (the real initiatives)"),
            "source": "CGET/ANCT « Mission coworking » (anct-carto/mission_coworking)",
            "licence": etalab,
        },
        {
            "what": _("Initiatives submitted by residents"),
            "source": _("Residents, checked by the radar's moderators"),
            "licence": settings.OPEN_DATA_LICENCE["name"],
        },
    ]
