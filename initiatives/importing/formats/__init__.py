"""One module per source format; FORMATS names them for `import_initiatives --format`."""

from importlib import import_module

from initiatives.importing.formats.base import Format, ImportOptions, SourceRecord

__all__ = ["FORMATS", "Format", "ImportOptions", "SourceRecord", "format_named"]

_CLASSES = {
    "csv": "tabular.CsvFormat",
    "geojson": "tabular.GeoJsonFormat",
    "lamednum": "lamednum.LaMednumFormat",
    "data-inclusion": "datainclusion.DataInclusionFormat",
    "gogocarto": "gogocarto.GogoCartoFormat",
    "osm": "osm.OsmFormat",
}
FORMATS = tuple(_CLASSES)


def format_named(name: str) -> Format:
    module, _dot, class_name = _CLASSES[name].rpartition(".")
    return getattr(import_module(f"{__name__}.{module}"), class_name)()
