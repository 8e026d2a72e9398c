"""OpenStreetMap: an extract (.osm or .osm.pbf, read by GDAL's OSM driver through pyogrio)
or GeoJSON from Overpass (osmtogeojson or overpass-turbo's export: tags as properties, or
under "tags"). Licence ODbL: every record keeps the attribution "© OpenStreetMap
contributors", and the data page says this subset is share-alike.

A tag → theme table covers the usual collaborative places; a feature with none of those
tags is reported (its main tags kept aside), not guessed. Areas (community gardens) are
placed at a point inside them. Contact tags (e-mail, phone, operator) are not read. An
extract is filtered by GDAL while it reads it (only features with one of the keys read here are
materialised), so that a département's extract costs the memory of its candidates only.
"""

import re
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from initiatives.choices import Licence
from initiatives.importing.formats.base import (
    Format,
    FormatError,
    ImportOptions,
    SourceRecord,
    text,
)
from initiatives.importing.formats.common import joined, shorten
from initiatives.importing.formats.tabular import geojson_features
from initiatives.importing.vocabulary import ValueMapping

# (key, value) → (themes, French label used when the feature has no name).
TAG_THEMES = {
    ("amenity", "public_bookcase"): (["culture"], "Boîte à livres"),
    ("amenity", "give_box"): (["repair_reuse"], "Boîte à dons"),
    ("repair_cafe", "yes"): (["repair_reuse"], "Repair café"),
    ("amenity", "community_centre"): (["third_place"], "Centre social ou maison de quartier"),
    ("garden:type", "community"): (["food", "environment"], "Jardin partagé"),
    ("shop", "second_hand"): (["repair_reuse"], "Boutique de seconde main"),
    ("shop", "charity"): (["repair_reuse", "care_mutual_aid"], "Boutique solidaire"),
    ("social_facility", "food_bank"): (["food", "care_mutual_aid"], "Banque alimentaire"),
    ("amenity", "food_sharing"): (["food"], "Frigo solidaire"),
    ("amenity", "bicycle_repair_station"): (["repair_reuse", "mobility"], "Atelier vélo"),
    ("leisure", "hackerspace"): (["third_place", "skills_education"], "Fablab"),
    ("amenity", "coworking_space"): (["third_place"], "Espace de coworking"),
    ("office", "coworking"): (["third_place"], "Espace de coworking"),
    ("amenity", "toy_library"): (["repair_reuse", "culture"], "Ludothèque"),
    ("community_centre", "community_hall"): (["third_place"], "Salle commune"),
}
MAIN_KEYS = ("amenity", "shop", "leisure", "office", "social_facility", "craft", "club")
HSTORE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
WHEELCHAIR = {"yes": True, "designated": True, "no": False}
# Layers of GDAL's OSM driver, and an attribute filter that keeps the driver's work small.
LAYERS = ("points", "multipolygons")


def tag_themes(tags: dict) -> tuple[list[str], str]:
    themes, label = [], ""
    for (key, value), (mapped, name) in TAG_THEMES.items():
        if tags.get(key) == value:
            themes.extend(theme for theme in mapped if theme not in themes)
            label = label or name
    if tags.get("leisure") == "garden" and tags.get("garden:type") != "community":
        return [], ""  # a private or ornamental garden is not a collaborative place
    return themes, label


def _start(value) -> str:
    value = text(value)
    return value if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) else ""


def tags_record(line: int, osm_id: str, tags: dict, lon, lat) -> SourceRecord:
    themes, label = tag_themes(tags)
    name = text(tags.get("name")) or label
    description = text(tags.get("description"))
    city = joined(tags.get("addr:postcode"), tags.get("addr:city"), separator=" ")
    street = joined(tags.get("addr:housenumber"), tags.get("addr:street"), separator=" ")
    record = SourceRecord(
        line=line,
        source_id=osm_id,
        fields={
            "name": name,
            "short_description": shorten(description)
            or (f"{label} (OpenStreetMap)" if label else ""),
            "description": description,
            "website": text(tags.get("website") or tags.get("contact:website")),
            "address": joined(street, city),
            "themes": themes,
            "step_free_access": WHEELCHAIR.get(tags.get("wheelchair")),
            "start_date": _start(tags.get("start_date")),
        },
        lon=lon,
        lat=lat,
        source_url=f"https://www.openstreetmap.org/{osm_id}" if "/" in osm_id else "",
    )
    if not themes:
        record.raw = {key: [tags[key]] for key in MAIN_KEYS if key in tags}
        record.error = _("No tag of ours on this feature (%(tags)s): nothing to map it to.") % {
            "tags": ", ".join(f"{k}={v[0]}" for k, v in record.raw.items()) or "—"
        }
    return record


def _centre(geometry: dict) -> tuple[object, object]:
    """A GeoJSON geometry's point: the point itself, else the mean of its outer ring."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return coordinates[0], coordinates[1]
    ring = (
        coordinates[0]
        if kind == "Polygon"
        else coordinates[0][0]
        if kind == "MultiPolygon"
        else None
    )
    if not ring:
        return None, None
    points = ring[:-1] or ring
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _overpass_id(feature: dict, properties: dict) -> str:
    osm_id = text(properties.get("@id") or properties.get("id") or feature.get("id"))
    kind = text(properties.get("type"))
    if osm_id.isdigit() and kind in {"node", "way", "relation"}:
        return f"{kind}/{osm_id}"
    return osm_id


def _candidates(fields: set[str]) -> str:
    """An OGR SQL filter for the features carrying one of the keys read here: a column of the
    layer (the driver's osmconf.ini decides which keys get one) or a key in other_tags."""
    keys = (*MAIN_KEYS, "repair_cafe", "garden:type")
    tests = [
        f'"{key}" IS NOT NULL' if key in fields else f"other_tags LIKE '%\"{key}\"=>%'"
        for key in keys
    ]
    return " OR ".join(tests)


def _parse_hstore(value) -> dict:
    if not isinstance(value, str):  # a missing value reads as NaN
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in HSTORE_PAIR.findall(value)}


class OsmFormat(Format):
    name = "osm"
    licence = Licence.ODBL
    attribution = "© les contributeurs d’OpenStreetMap"
    mapping = ValueMapping()

    def records(self, path: Path, options: ImportOptions) -> Iterator[SourceRecord]:
        if path.suffix.lower() in {".osm", ".pbf"}:
            yield from self._extract_records(path)
            return
        for index, feature in geojson_features(path, options.encoding):
            properties = dict(feature.get("properties") or {})
            tags = (
                properties.get("tags") if isinstance(properties.get("tags"), dict) else properties
            )
            geometry = feature.get("geometry") if isinstance(feature.get("geometry"), dict) else {}
            lon, lat = _centre(geometry) if geometry.get("coordinates") else (None, None)
            yield tags_record(index, _overpass_id(feature, properties), tags, lon, lat)

    def _extract_records(self, path: Path) -> Iterator[SourceRecord]:
        import pyogrio

        line = 0
        for layer in LAYERS:
            try:
                fields = set(pyogrio.read_info(path, layer=layer)["fields"])
                # GDAL reads the extract as a stream and keeps only the candidates: memory
                # follows their number, not the size of the file (streets, buildings, …).
                frame = pyogrio.read_dataframe(path, layer=layer, where=_candidates(fields))
            except Exception as error:  # GDAL says why in its message
                raise FormatError(
                    _("Cannot read the OpenStreetMap file: %(error)s") % {"error": error}
                ) from None
            prefix = "node" if layer == "points" else "way"
            for row in frame.itertuples(index=False):
                line += 1
                record = self._extract_record(line, layer, prefix, row._asdict())
                if record is not None:
                    yield record

    @staticmethod
    def _extract_record(line: int, layer: str, prefix: str, row: dict) -> SourceRecord | None:
        tags = _parse_hstore(row.get("other_tags"))
        tags.update(
            {
                k: v
                for k, v in row.items()
                if isinstance(v, str) and k not in {"other_tags", "osm_id", "osm_way_id"}
            }
        )
        if not any(key in tags for key in (*MAIN_KEYS, "repair_cafe", "garden:type")):
            return None  # streets, buildings, places: not candidates at all
        if layer == "multipolygons" and row.get("osm_way_id") is None:
            prefix, osm_id = "relation", text(row.get("osm_id"))
        else:
            osm_id = text(row.get("osm_id") or row.get("osm_way_id"))
        geometry = row.get("geometry")
        point = geometry.representative_point() if geometry is not None else None
        lon, lat = (point.x, point.y) if point is not None else (None, None)
        return tags_record(line, f"{prefix}/{osm_id}", tags, lon, lat)
