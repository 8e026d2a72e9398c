"""GoGoCarto API exports (Transiscope, Près de chez nous, the regional third-places maps…):

    {"licence": "…", "ontology": "gogofull", "data": [{"id", "name", "geo": {"latitude",
     "longitude"}, "address": {"streetAddress", "postalCode", "addressLocality"},
     "categories": [...], "description", "website", "createdAt", "updatedAt", …}]}

or the compact form, whose rows are lists read through its "mapping" (nested lists for
nested names): {"ontology": "gogocompact", "mapping": ["id", ["name"], "latitude",
"longitude", "categories", …], "data": [["id", ["Name"], 44.8, -0.57, [12, 34]], …]}.
Categories map onto our themes through the value mapping (a compact export gives category
ids: map them by id). E-mail addresses and phone numbers are not read.
"""

from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from initiatives.importing.formats.base import (
    Format,
    FormatError,
    ImportOptions,
    SourceRecord,
    json_header,
    json_items,
    text,
)
from initiatives.importing.formats.common import first_url, joined, licence_from_text, shorten
from initiatives.importing.vocabulary import ValueMapping

CATEGORY_THEMES = {
    "Alimentation": "food",
    "Agriculture et alimentation": "food",
    "Agriculture & Alimentation": "food",
    "Jardin partagé": "food",
    "Jardins partagés": "food",
    "AMAP": "food",
    "Épicerie solidaire": "food",
    "Réparation": "repair_reuse",
    "Repair café": "repair_reuse",
    "Recyclerie": "repair_reuse",
    "Ressourcerie": "repair_reuse",
    "Réemploi": "repair_reuse",
    "Mobilité": "mobility",
    "Transport": "mobility",
    "Culture": "culture",
    "Culture et loisirs": "culture",
    "Numérique": "digital_inclusion",
    "Inclusion numérique": "digital_inclusion",
    "Solidarité": "care_mutual_aid",
    "Entraide": "care_mutual_aid",
    "Santé": "care_mutual_aid",
    "Environnement": "environment",
    "Énergie": "environment",
    "Habitat": "housing",
    "Logement": "housing",
    "Éducation": "skills_education",
    "Formation": "skills_education",
    "Tiers-lieu": "third_place",
    "Tiers-lieux": "third_place",
    "Tiers lieux": "third_place",
    "Coworking": "third_place",
    "Fablab": "third_place",
}


def _unpack(mapping, row) -> dict:
    """A compact row as a dict, through the (possibly nested) mapping."""
    values = {}
    for name, value in zip(mapping, row, strict=False):
        if isinstance(name, list):
            values.update(_unpack(name, value if isinstance(value, list) else [value]))
        else:
            values[name] = value
    return values


def _categories(value) -> list[str]:
    items = value if isinstance(value, list) else [value] if value not in (None, "") else []
    names = []
    for item in items:
        if isinstance(item, dict):  # categoriesFull: {"id", "name", …}
            item = item.get("name") or item.get("id")
        if item not in (None, ""):
            names.append(str(item).strip())
    return names


def element_record(line: int, element: dict) -> SourceRecord:
    geo = element.get("geo") if isinstance(element.get("geo"), dict) else {}
    address = element.get("address") if isinstance(element.get("address"), dict) else {}
    categories = _categories(element.get("categories"))
    description = text(element.get("description") or element.get("descriptionMore"))
    street = text(address.get("streetAddress") or element.get("streetAddress"))
    postcode = text(address.get("postalCode") or element.get("postalCode"))
    locality = text(address.get("addressLocality") or element.get("addressLocality"))
    short = shorten(description) or shorten(joined(*categories)) or text(element.get("name"))
    return SourceRecord(
        line=line,
        source_id=text(element.get("id")),
        fields={
            "name": text(element.get("name")),
            "short_description": short,
            "description": description,
            "website": first_url(element.get("website")),
            "address": joined(street, joined(postcode, locality, separator=" ")),
            "themes": categories,
        },
        lon=geo.get("longitude", element.get("longitude")),
        lat=geo.get("latitude", element.get("latitude")),
    )


class GogoCartoFormat(Format):
    name = "gogocarto"
    mapping = ValueMapping(values={"themes": {k: [v] for k, v in CATEGORY_THEMES.items()}})

    def file_licence(self, path: Path, options: ImportOptions) -> str:
        return licence_from_text(json_header(path, options.encoding, "data").get("licence"))

    def records(self, path: Path, options: ImportOptions) -> Iterator[SourceRecord]:
        header = json_header(path, options.encoding, "data")
        ontology = header.get("ontology", "gogofull")
        if ontology not in {"gogofull", "gogocompact"}:
            raise FormatError(
                _("Unknown GoGoCarto ontology %(name)r: gogofull or gogocompact expected.")
                % {"name": ontology}
            )
        mapping = header.get("mapping")
        if ontology == "gogocompact" and not isinstance(mapping, list):
            raise FormatError(_("A gogocompact export needs its “mapping” list."))
        for index, item in enumerate(json_items(path, options.encoding, "data"), start=1):
            if ontology == "gogocompact":
                item = _unpack(mapping, item) if isinstance(item, list) else {}
            if not isinstance(item, dict):
                item = {}
            yield element_record(index, item)
