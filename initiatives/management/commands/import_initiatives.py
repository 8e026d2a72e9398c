from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from initiatives.choices import Licence, PublicationStatus
from initiatives.importing.formats import FORMATS, ImportOptions, format_named
from initiatives.importing.formats.base import FormatError
from initiatives.importing.vocabulary import MappingError, ValueMapping
from initiatives.importing.workflow import import_file, outcome_label
from initiatives.services import IMPORTABLE
from initiatives.signals import bulk_write

EXTENSIONS = {
    ".csv": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
    ".osm": "osm",
    ".pbf": "osm",
}


class Command(BaseCommand):
    help = (
        "Import initiatives from a file in one of the supported formats, upserted by "
        "(source, source id): published at once unless --pending. Rows that break a rule are "
        "reported by line and not stored; --dry-run reports every line and stores nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the extension.")
        parser.add_argument("--source", required=True, help="Name of the data set.")
        parser.add_argument("--pending", action="store_true", help="Send to moderation.")
        parser.add_argument("--dry-run", action="store_true", help="Report, store nothing.")
        parser.add_argument("--mapping", help="JSON file: column names and value mapping.")
        parser.add_argument("--licence", choices=Licence.values, help="The source's licence.")
        parser.add_argument("--attribution", help="Credit required by the licence.")
        parser.add_argument("--id-field", help="Column of the id in the source.")
        parser.add_argument("--lon-field")
        parser.add_argument("--lat-field")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Read a field from a column of another name (repeatable).",
        )
        parser.add_argument("--encoding", default="utf-8")

    def handle(self, *args, **options):
        if options["source"] in {"resident", "demo", ""}:
            raise CommandError(_("Choose a source name for the data set, not “resident”."))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        source_format = format_named(options["format"] or self._guess_format(path))
        import_options = ImportOptions(mapping=self._mapping(options), encoding=options["encoding"])
        dry_run, verbose = options["dry_run"], options["verbosity"] > 0
        try:
            with bulk_write(sender=self.__class__):
                report = import_file(
                    path=path,
                    source_format=source_format,
                    options=import_options,
                    source=options["source"],
                    status=PublicationStatus.PENDING if options["pending"] else None,
                    licence=options["licence"],
                    attribution=options["attribution"],
                    dry_run=dry_run,
                    progress=verbose,
                    on_line=self._print_line if dry_run else None,
                )
        except UnicodeDecodeError:
            raise CommandError(
                _("%(path)s is not valid %(encoding)s: give its encoding with --encoding.")
                % {"path": path, "encoding": options["encoding"]}
            ) from None
        except FormatError as error:
            raise CommandError(str(error)) from None
        self._print_report(report)

    def _guess_format(self, path: Path) -> str:
        try:
            return EXTENSIONS[path.suffix.lower()]
        except KeyError:
            raise CommandError(_("Give the file's format with --format.")) from None

    def _mapping(self, options) -> ValueMapping:
        try:
            mapping = ValueMapping.from_file(options["mapping"]) if options["mapping"] else None
        except MappingError as error:
            raise CommandError(str(error)) from None
        mapping = mapping or ValueMapping()
        columns = {
            name: options[f"{name}_field"]
            for name in ("id", "lon", "lat")
            if options[f"{name}_field"]
        }
        for pair in options["map"]:
            name, sep, column = pair.partition("=")
            if not sep or name not in (*IMPORTABLE, "lon", "lat", "id"):
                raise CommandError(_("Bad --map %(pair)r: use FIELD=COLUMN.") % {"pair": pair})
            columns[name] = column
        mapping.columns.update(columns)
        return mapping

    def _print_line(self, line) -> None:
        text = _("Line %(line)d (%(id)s): %(outcome)s") % {
            "line": line.line,
            "id": line.source_id or "—",
            "outcome": outcome_label(line),
        }
        details = [part for part in (line.reason, line.notes) if part]
        self.stdout.write(" — ".join([text, *details]))

    def _print_report(self, report) -> None:
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was stored."))
        self.stdout.write(
            _("Created: %(c)d · updated: %(u)d · unchanged: %(n)d · rejected: %(r)d")
            % {
                "c": report.created,
                "u": report.updated,
                "n": report.unchanged,
                "r": len(report.rejected),
            }
        )
        if report.duplicates:
            self.stdout.write(
                _("Possible duplicates, sent to moderation to merge: %(d)d")
                % {"d": report.duplicates}
            )
        if not report.dry_run:
            for line, reason in report.rejected:
                self.stdout.write(_("Line %(line)d: %(reason)s") % {"line": line, "reason": reason})
