"""Our own flat formats: a CSV (lon/lat columns, lists joined with "|") or a GeoJSON
FeatureCollection of points, read with the mapping file's column names."""

import csv
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from common.spreadsheet import spreadsheet_unescape
from initiatives.importing.formats.base import (
    Format,
    FormatError,
    ImportOptions,
    SourceRecord,
    json_items,
    open_text,
    text,
)
from initiatives.services import IMPORTABLE

# Fields a flat file may carry, by our names; the mapping's "columns" may rename them. A
# licence or attribution column (our own export has them) wins over --licence/--attribution.
READABLE = tuple(name for name in IMPORTABLE if name != "raw_values")


def _column(options: ImportOptions, name: str) -> str:
    return options.mapping.columns.get(name, name)


def flat_record(line: int, row: dict, options: ImportOptions, lon=None, lat=None) -> SourceRecord:
    columns = {name: _column(options, name) for name in READABLE}
    fields = {name: row[column] for name, column in columns.items() if column in row}
    source_url = fields.pop("source_url", None)
    return SourceRecord(
        line=line,
        source_id=text(row.get(_column(options, "id"))),
        fields=fields,
        lon=lon if lon is not None else row.get(_column(options, "lon")),
        lat=lat if lat is not None else row.get(_column(options, "lat")),
        source_url=text(source_url) if source_url is not None else None,
    )


def csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, dict]]:
    """(line, row) of a CSV whose delimiter is guessed (comma, semicolon or tab)."""
    with open_text(path, encoding) as handle:
        sample = handle.read(65536)
        handle.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        # The sniffer guesses no doubled quotes unless its sample shows one: RFC 4180
        # (and our own CSV export) always doubles quotes inside quoted text.
        dialect.doublequote = True
        reader = csv.DictReader(handle, dialect=dialect)
        try:
            yield from enumerate(reader, start=2)  # the header is line 1
        except csv.Error as error:
            raise FormatError(
                _("Line %(line)d: %(error)s") % {"line": reader.line_num, "error": error}
            ) from None


class CsvFormat(Format):
    name = "csv"

    def records(self, path: Path, options: ImportOptions) -> Iterator[SourceRecord]:
        for line, row in csv_rows(path, options.encoding):
            # Our export neutralises formula cells ('=…): read back as entered.
            row = {name: spreadsheet_unescape(value) for name, value in row.items()}
            yield flat_record(line, row, options)


def point_coordinates(feature: dict) -> tuple[object, object]:
    geometry = feature.get("geometry") or {}
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None, None
    coordinates = geometry.get("coordinates") or []
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None, None
    return coordinates[0], coordinates[1]  # GeoJSON is [longitude, latitude]


def geojson_features(path: Path, encoding: str) -> Iterator[tuple[int, dict]]:
    for index, feature in enumerate(json_items(path, encoding, "features"), start=1):
        yield index, feature if isinstance(feature, dict) else {}


class GeoJsonFormat(Format):
    name = "geojson"

    def records(self, path: Path, options: ImportOptions) -> Iterator[SourceRecord]:
        for index, feature in geojson_features(path, options.encoding):
            properties = dict(feature.get("properties") or {})
            properties.setdefault(_column(options, "id"), feature.get("id"))
            lon, lat = point_coordinates(feature)
            yield flat_record(index, properties, options, lon=lon, lat=lat)
