from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from territories.management.commands._files import read_geofile, read_table, require_columns
from territories.models import Territory
from territories.services import (
    ImportReport,
    Population,
    TerritoryImportError,
    read_territory_frame,
    territories_upsert,
    territory_rows,
)


class Command(BaseCommand):
    help = (
        "Import territories from any file GDAL reads (GeoJSON, Shapefile, GeoPackage…), "
        "reprojected to WGS84, upserted by (level, code). A bad file stores nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--level", required=True, choices=Territory.Level.values)
        parser.add_argument("--code-field", required=True)
        parser.add_argument("--name-field", required=True)
        parser.add_argument("--layer", help="Layer of a multi-layer file (GeoPackage).")
        parser.add_argument("--crs", help="Coordinate system when the file has none.")
        parser.add_argument("--encoding", help="Text encoding of the file's attributes.")
        parser.add_argument("--parent-level", choices=Territory.Level.values)
        parser.add_argument("--parent-field", help="Column holding the parent's code.")
        parser.add_argument("--population-csv", help="CSV of populations by code.")
        parser.add_argument("--population-code-field", default="code")
        parser.add_argument("--population-field", default="population")
        parser.add_argument("--population-year", type=int)
        parser.add_argument("--population-source", default="")
        parser.add_argument("--population-encoding", default="utf-8")
        parser.add_argument(
            "--population-name-field",
            help="Column of the official names (e.g. INSEE's, with their articles): they "
            "replace the geometry file's names.",
        )

    def handle(self, *args, **options):
        if bool(options["parent_level"]) != bool(options["parent_field"]):
            raise CommandError(_("--parent-level and --parent-field go together."))
        frame = read_geofile(options["file"], layer=options["layer"], encoding=options["encoding"])
        population = self._population(options)
        try:
            frame, repaired = read_territory_frame(
                frame,
                code_field=options["code_field"],
                name_field=options["name_field"],
                parent_field=options["parent_field"],
                source_crs=options["crs"],
            )
            frame = self._official_names(frame, options)
            rows, report = territory_rows(
                frame, population=population, metric_srid=settings.RADAR_METRIC_SRID
            )
            report.repaired = repaired
            territories_upsert(
                level=options["level"],
                rows=rows,
                report=report,
                parent_level=options["parent_level"],
                progress=options["verbosity"] > 0,
            )
        except TerritoryImportError as error:
            raise CommandError(str(error)) from None
        write_report(self, report)

    def _official_names(self, frame, options):
        """The population table's names where it has one for the code ("Le Barp" where the
        2018 boundaries say "Barp")."""
        column, path = options["population_name_field"], options["population_csv"]
        if not column or not path:
            return frame
        table = read_table(path, encoding=options["population_encoding"])
        require_columns(table, [options["population_code_field"], column], path)
        names = {
            code.strip(): name.strip()
            for code, name in zip(
                table[options["population_code_field"]], table[column], strict=True
            )
            if name.strip()
        }
        frame = frame.copy()
        frame["name"] = [
            names.get(code, name) for code, name in zip(frame["code"], frame["name"], strict=True)
        ]
        return frame

    def _population(self, options) -> Population | None:
        path = options["population_csv"]
        if not path:
            return None
        table = read_table(path, encoding=options["population_encoding"])
        code, value = options["population_code_field"], options["population_field"]
        require_columns(table, [code, value], path)
        values = {}
        for line, (key, raw) in enumerate(zip(table[code], table[value], strict=True), start=2):
            if raw.strip() == "":
                continue
            try:
                values[key.strip()] = int(raw.replace(" ", ""))
            except ValueError:
                raise CommandError(
                    _("%(path)s line %(line)d: %(value)r is not a whole number.")
                    % {"path": path, "line": line, "value": raw}
                ) from None
        return Population(values, options["population_year"], options["population_source"])


def write_report(command: BaseCommand, report: ImportReport) -> None:
    out = command.stdout
    out.write(
        _("Created: %(created)d · updated: %(updated)d · unchanged: %(unchanged)d")
        % {
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
        }
    )
    sections = [
        (_("Repaired geometry"), report.repaired),
        (_("Without population"), report.without_population),
        (_("Population rows without geometry"), report.population_without_geometry),
        (_("Members without geometry"), report.members_without_geometry),
        (_("Members without population"), report.members_without_population),
    ]
    for title, codes in sections:
        if codes:
            out.write(f"{title} ({len(codes)}): {', '.join(codes)}")
