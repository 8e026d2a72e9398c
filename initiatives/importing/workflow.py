"""One import, from a file to a report: what the command, the admin and the task share."""

from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from initiatives.choices import PublicationStatus
from initiatives.importing.convert import record_to_row
from initiatives.importing.formats import Format, ImportOptions
from initiatives.importing.pipeline import ImportLine, ImportReport, import_rows


def outcome_label(line: ImportLine) -> str:
    labels = {
        "created": pgettext("import outcome", "created"),
        "updated": pgettext("import outcome", "updated"),
        "unchanged": pgettext("import outcome", "unchanged"),
        "rejected": pgettext("import outcome", "rejected"),
    }
    label = labels[line.outcome]
    if line.duplicate_of:
        label += " " + _("(possible duplicate of initiative #%(id)d, to merge)") % {
            "id": line.duplicate_of
        }
    return label


def import_file(
    *,
    path: Path,
    source_format: Format,
    options: ImportOptions,
    source: str,
    status: str | None = None,
    licence: str | None = None,
    attribution: str | None = None,
    dry_run: bool = False,
    progress: bool = False,
    on_line: Callable[[ImportLine], None] | None = None,
) -> ImportReport:
    """Read `path` in `source_format` and import it under `source`. The licence defaults to
    what the file declares, then to the format's usual one, then to Licence Ouverte."""
    mapping = options.mapping.over(source_format.mapping)
    provenance = {
        "licence": licence or source_format.file_licence(path, options) or source_format.licence,
        "attribution": attribution if attribution is not None else source_format.attribution,
    }
    provenance = {name: value for name, value in provenance.items() if value}
    rows = (record_to_row(record, mapping) for record in source_format.records(path, options))
    return import_rows(
        rows=rows,
        source=source,
        status=status or PublicationStatus.PUBLISHED,
        provenance=provenance,
        dry_run=dry_run,
        progress=progress,
        on_line=on_line,
    )
