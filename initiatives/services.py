"""Writes of initiatives. Every write validates with full_clean() first."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from tqdm import tqdm

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative

# Fields an import may set; everything else (territory, timestamps, status) is derived.
IMPORTABLE = (
    "name",
    "short_description",
    "description",
    "website",
    "address",
    "themes",
    "start_date",
    "start_date_precision",
    "activity_status",
    "actor_types",
    "collaboration_mode",
    "economic_model",
    "resources",
    "governance",
    "animation",
    "reciprocity",
    "step_free_access",
    "usable_without_internet",
    "languages",
    "needs",
    "is_synthetic",
    "contact_email",
    "last_confirmed_at",
)


@dataclass
class ImportRow:
    line: int
    source_id: str
    values: dict  # field values, including "location"
    error: ValidationError | None = None  # a parse error found before the service


@dataclass
class InitiativeImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def _reason(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _apply(initiative: Initiative, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if name == "location":
            if initiative.location is None or not initiative.location.equals_exact(value, 1e-9):
                initiative.location, changed = value, True
        elif getattr(initiative, name) != value:
            setattr(initiative, name, value)
            changed = True
    return changed


def initiative_import_row(
    *, row: ImportRow, source: str, status: str, report: InitiativeImportReport
) -> None:
    """Create or update one initiative by (source, source id). Invalid rows are reported and
    not stored."""
    if row.error is not None:
        report.rejected.append((row.line, _reason(row.error)))
        return
    initiative = Initiative.objects.filter(source=source, source_id=row.source_id).first()
    created = initiative is None
    if created:
        initiative = Initiative(source=source, source_id=row.source_id, publication_status=status)
    values = {k: v for k, v in row.values.items() if k in IMPORTABLE or k == "location"}
    if not _apply(initiative, values) and not created:
        report.unchanged.append(row.source_id)
        return
    try:
        with transaction.atomic():
            initiative.full_clean()
            initiative.save()
    except ValidationError as error:
        report.rejected.append((row.line, _reason(error)))
        return
    (report.created if created else report.updated).append(row.source_id)


def initiatives_import(
    *,
    rows: Iterable[ImportRow],
    source: str,
    status: str = PublicationStatus.PUBLISHED,
    progress: bool = False,
    total: int | None = None,
) -> InitiativeImportReport:
    report = InitiativeImportReport()
    seen: set[str] = set()
    for row in tqdm(rows, desc=source, unit="row", total=total, disable=not progress):
        if row.source_id in seen:
            report.rejected.append((row.line, f"duplicate id {row.source_id!r} in the file"))
            continue
        seen.add(row.source_id)
        initiative_import_row(row=row, source=source, status=status, report=report)
    return report

