import csv
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from initiatives.choices import PublicationStatus
from initiatives.records import parse_point, record_values
from initiatives.services import IMPORTABLE, ImportRow, initiatives_import
from initiatives.signals import bulk_write


class Command(BaseCommand):
    help = (
        "Import initiatives from a CSV (lon/lat columns) or a GeoJSON file, upserted by "
        "(source, source id). Rows with bad values are reported by line and not stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="Name of the data set.")
        parser.add_argument("--id-field", default="id", help="Column of the id in the source.")
        parser.add_argument("--lon-field", default="lon")
        parser.add_argument("--lat-field", default="lat")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Read a field from a column of another name (repeatable).",
        )
        parser.add_argument(
            "--status", default=PublicationStatus.PUBLISHED, choices=PublicationStatus.values
        )
        parser.add_argument("--encoding", default="utf-8")

    def handle(self, *args, **options):
        if options["source"] in {"resident", ""}:
            raise CommandError(_("Choose a source name for the data set, not “resident”."))
        mapping = self._mapping(options["map"])
        records = self._records(options["file"], options)
        rows = [self._row(line, record, mapping, options) for line, record in records]
        with bulk_write(sender=self.__class__):
            report = initiatives_import(
                rows=rows,
                source=options["source"],
                status=options["status"],
                progress=options["verbosity"] > 0,
                total=len(rows),
            )
        self.stdout.write(
            _("Created: %(c)d · updated: %(u)d · unchanged: %(n)d · rejected: %(r)d")
            % {
                "c": len(report.created),
                "u": len(report.updated),
                "n": len(report.unchanged),
                "r": len(report.rejected),
            }
        )
        for line, reason in report.rejected:
            self.stdout.write(_("Line %(line)d: %(reason)s") % {"line": line, "reason": reason})

    def _mapping(self, pairs: list[str]) -> dict[str, str]:
        mapping = {}
        for pair in pairs:
            name, sep, column = pair.partition("=")
            if not sep or name not in (*IMPORTABLE, "lon", "lat", "id"):
                raise CommandError(_("Bad --map %(pair)r: use FIELD=COLUMN.") % {"pair": pair})
            mapping[name] = column
        return mapping

    def _records(self, path: str, options) -> list[tuple[int, dict]]:
        if not Path(path).exists():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            if path.lower().endswith((".geojson", ".json")):
                return self._geojson_records(path, options)
            return self._csv_records(path, options)
        except UnicodeDecodeError:
            raise CommandError(
                _("%(path)s is not valid %(encoding)s: give its encoding with --encoding.")
                % {"path": path, "encoding": options["encoding"]}
            ) from None

    def _csv_records(self, path: str, options) -> list[tuple[int, dict]]:
        with open(path, encoding=options["encoding"], newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            # The sniffer guesses no doubled quotes unless its sample shows one: RFC 4180
            # (and our own CSV export) always doubles quotes inside quoted text.
            dialect.doublequote = True
            reader = csv.DictReader(handle, dialect=dialect)
            # Line numbers count the header as line 1.
            return [(index, row) for index, row in enumerate(reader, start=2)]

    def _geojson_records(self, path: str, options) -> list[tuple[int, dict]]:
        with open(path, encoding=options["encoding"]) as handle:
            try:
                document = json.load(handle)
            except json.JSONDecodeError as error:
                raise CommandError(_("Invalid JSON: %(error)s") % {"error": error}) from None
        features = document.get("features") if isinstance(document, dict) else None
        if not isinstance(features, list):
            raise CommandError(_("The file is not a GeoJSON FeatureCollection."))
        records = []
        for index, feature in enumerate(features, start=1):
            record = dict((feature or {}).get("properties") or {})
            geometry = (feature or {}).get("geometry") or {}
            coordinates = geometry.get("coordinates") if geometry.get("type") == "Point" else None
            lon, lat = (coordinates or [None, None])[:2] if coordinates else (None, None)
            record.setdefault(options["lon_field"], lon)
            record.setdefault(options["lat_field"], lat)
            record.setdefault(options["id_field"], (feature or {}).get("id"))
            records.append((index, record))
        return records

    def _row(self, line: int, record: dict, mapping: dict, options) -> ImportRow:
        def column(name, default=None):
            return record.get(mapping.get(name, default or name))

        source_id = str(column("id", options["id_field"]) or "").strip()
        mapped = {name: column(name) for name in IMPORTABLE if mapping.get(name, name) in record}
        try:
            if not source_id:
                raise ValidationError({"id": _("The row has no id.")})
            location = parse_point(
                column("lon", options["lon_field"]), column("lat", options["lat_field"])
            )
            values = record_values(mapped)
            values.update({k: v for k, v in mapped.items() if k == "contact_email"})
            values["location"] = location
        except ValidationError as error:
            return ImportRow(line=line, source_id=source_id, values={}, error=error)
        return ImportRow(line=line, source_id=source_id, values=values)
