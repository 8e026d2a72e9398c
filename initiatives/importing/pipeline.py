"""Validate in bulk, write in batches: the import's engine.

Python checks each row with the model's own rules (field validators and the non-spatial part
of Initiative.clean) as the file streams by, and COPYs the valid rows into a temporary table.
PostgreSQL then does, once for the whole file: the territory of every point and whether it
lies in the served territory (one spatial join), the comparison with what is stored under the
same (source, source id), the search for likely duplicates of other sources' initiatives (the
moderation rule: within 150 m, with a similar name), and the writes (one INSERT, one UPDATE).
Nothing is written when a dry run is asked for, and the report is the same.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb
from tqdm import tqdm

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative
from initiatives.selectors import DUPLICATE_DISTANCE_M, DUPLICATE_MIN_SIMILARITY, LIVE_STATUSES
from initiatives.services import IMPORTABLE, ImportRow
from territories.models import Territory

STAGING = "import_staging"
# Columns PostgreSQL decides: the key, the timestamps, the territory, the duplicate link.
DERIVED = {"id", "created_at", "updated_at", "territory", "duplicate_of"}
# Fields whose validation needs the database: done in SQL below, or not importable.
NOT_CHECKED_IN_PYTHON = ["location", "territory", "duplicate_of", "merged_into"]
UPDATABLE = (*IMPORTABLE, "location")
# Metres in a degree of latitude, a little under the true figure so the box holds the circle.
METRES_PER_DEGREE = 110_000


@dataclass(frozen=True)
class ImportLine:
    line: int
    source_id: str
    outcome: str  # created, updated, unchanged, rejected
    reason: str = ""
    notes: str = ""
    duplicate_of: int | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # created as candidate duplicates, pending a moderator's merge
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    dry_run: bool = False


def reason(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != NON_FIELD_ERRORS else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _staged_fields():
    return [f for f in Initiative._meta.concrete_fields if f.name not in DERIVED]


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


class _Stager:
    """Checks rows in Python and COPYs the valid ones into the staging table."""

    def __init__(self, *, source: str, status: str, provenance: dict):
        self.source, self.status, self.provenance = source, status, provenance
        self.fields = _staged_fields()
        self.rejections: list[tuple[int, str, str]] = []
        self._prepare_template()

    def create_table(self, cursor) -> None:
        # Dropped at the end too; ON COMMIT DROP covers a failure inside an outer transaction.
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGING} ON COMMIT DROP AS "
            f"SELECT * FROM {Initiative._meta.db_table} WITH NO DATA"
        )
        cursor.execute(
            f"ALTER TABLE {STAGING} DROP COLUMN id, DROP COLUMN created_at, "
            "DROP COLUMN updated_at, ADD COLUMN line integer, ADD COLUMN given text[], "
            "ADD COLUMN create_errors text, ADD COLUMN notes text, ADD COLUMN inside boolean, "
            "ADD COLUMN existing_id bigint, ADD COLUMN outcome text, ADD COLUMN reason text"
        )

    def copy(self, cursor, rows: Iterable[ImportRow]) -> None:
        names = [f.column for f in self.fields] + ["line", "given", "create_errors", "notes"]
        statement = f"COPY {STAGING} ({', '.join(map(_qn, names))}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                staged = self._staged(row)
                if staged is not None:
                    copy.write_row(staged)

    def _staged(self, row: ImportRow) -> list | None:
        if row.error is not None:
            self.rejections.append((row.line, row.source_id, reason(row.error)))
            return None
        try:
            values, given, create_errors = self._checked(row)
        except ValidationError as error:
            self.rejections.append((row.line, row.source_id, reason(error)))
            return None
        notes = "; ".join(row.notes) or None
        return [*values, row.line, sorted(given), create_errors, notes]

    def _checked(self, row: ImportRow) -> tuple[list, set[str], str | None]:
        values = {**self.provenance, **row.values}
        values = {name: value for name, value in values.items() if name in UPDATABLE}
        location = values.pop("location", None)
        initiative = self._initiative(row, values)
        errors: dict = {}
        given = set(values)
        for check in (
            lambda: initiative.clean_fields(exclude=self.unchecked - given),
            initiative.clean_non_spatial,
        ):
            try:
                check()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        # A field the row does not give keeps its stored value on update: an error there
        # (a missing name, no theme) only matters if the row creates an initiative.
        on_given = {k: v for k, v in errors.items() if k in given or k == NON_FIELD_ERRORS}
        if on_given:
            raise ValidationError(on_given)
        errors.update({k: v for k, v in self.default_errors.items() if k not in given})
        create_errors = reason(ValidationError(errors)) if errors else None
        given.add("location")
        return self._db_values(initiative, location), given, create_errors

    def _initiative(self, row: ImportRow, values: dict) -> Initiative:
        # Model.__init__ costs more than the checks themselves at 100,000 rows: start from
        # a copy of a blank initiative's attributes instead (no signal listens to init).
        initiative = Initiative.__new__(Initiative)
        initiative.__dict__.update(self.template)
        initiative._state = ModelState()
        initiative.__dict__.update(values)
        initiative.source_id = row.source_id
        return initiative

    def _db_values(self, initiative: Initiative, location) -> list:
        values = []
        for model_field in self.fields:
            value = initiative.__dict__[model_field.attname]
            if model_field.name == "location":
                x, y = (location.x, location.y) if isinstance(location, Point) else location
                value = f"SRID=4326;POINT({x!r} {y!r})"
            elif model_field.name == "raw_values":
                value = Jsonb(value)
            values.append(value)
        return values

    def _prepare_template(self) -> None:
        blank = Initiative(source=self.source, publication_status=self.status)
        self.template = {k: v for k, v in blank.__dict__.items() if k != "_state"}
        names = {f.name for f in Initiative._meta.concrete_fields}
        always = {"source", "source_id", "publication_status"}
        self.unchecked = (names - always) | set(NOT_CHECKED_IN_PYTHON)
        # What a field left out would break, on its default (a blank name, no theme), found
        # once here: it matters only for rows that create an initiative.
        self.default_errors = {}
        for check in (
            lambda: blank.clean_fields(exclude=NOT_CHECKED_IN_PYTHON),
            blank.clean_non_spatial,
        ):
            try:
                check()
            except ValidationError as error:
                self.default_errors = error.update_error_dict(self.default_errors)


def _rank_sql() -> str:
    cases = " ".join(f"WHEN '{level}' THEN {rank}" for level, rank in Territory.LEVEL_RANK.items())
    return f"CASE t.level {cases} ELSE 0 END"


def _locate(cursor) -> None:
    """Every point's finest territory and whether the served territory contains it. The
    join runs territory by territory over an index of the points, so that PostGIS prepares
    each polygon once instead of reading it again for every point."""
    served = settings.RADAR_SERVED_TERRITORY
    territories = Territory._meta.db_table
    cursor.execute(f"CREATE INDEX ON {STAGING} USING gist (location)")
    cursor.execute(f"ANALYZE {STAGING}")
    cursor.execute(
        f"""UPDATE {STAGING} s SET territory_id = found.territory_id
        FROM (SELECT DISTINCT ON (p.line) p.line, t.id AS territory_id
              FROM {territories} t JOIN {STAGING} p ON ST_Intersects(t.geometry, p.location)
              ORDER BY p.line, {_rank_sql()} DESC, t.code) found
        WHERE found.line = s.line"""
    )
    cursor.execute(
        f"""UPDATE {STAGING} SET inside = coalesce(ST_Contains(
            (SELECT geometry FROM {territories} WHERE level = %s AND code = %s), location),
            false)""",
        [served["level"], served["code"]],
    )


def _changed_sql() -> str:
    columns = [f for f in _staged_fields() if f.name in UPDATABLE]
    return " OR ".join(
        f"('{f.name}' = ANY(s.given) AND s.{_qn(f.column)} IS DISTINCT FROM i.{_qn(f.column)})"
        for f in columns
    )


def _classify(cursor, source: str) -> None:
    table = Initiative._meta.db_table
    cursor.execute(
        f"""UPDATE {STAGING} s SET outcome = 'rejected', reason = %s
        FROM (SELECT line, row_number() OVER (PARTITION BY source_id ORDER BY line) AS n
              FROM {STAGING}) d
        WHERE d.line = s.line AND d.n > 1""",
        [_("The same id appears earlier in the file.")],
    )
    cursor.execute(
        f"""UPDATE {STAGING} s SET existing_id = i.id FROM {table} i
        WHERE i.source = %s AND i.source_id = s.source_id AND i.source_id <> ''""",
        [source],
    )
    outside = "location: " + _("This place is outside the territory served by the radar.")
    cursor.execute(
        f"""UPDATE {STAGING} s SET
            outcome = CASE WHEN NOT s.inside OR (s.existing_id IS NULL
                                AND s.create_errors IS NOT NULL) THEN 'rejected'
                           WHEN s.existing_id IS NULL THEN 'created' END,
            reason = CASE WHEN NOT s.inside THEN %s
                          WHEN s.existing_id IS NULL THEN s.create_errors END
        WHERE s.outcome IS NULL""",
        [outside],
    )
    cursor.execute(
        f"""UPDATE {STAGING} s SET outcome = CASE WHEN {_changed_sql()}
                                              THEN 'updated' ELSE 'unchanged' END
        FROM {table} i WHERE s.outcome IS NULL AND i.id = s.existing_id"""
    )


def _link_duplicates(cursor) -> None:
    """New records within 150 m of another source's live initiative with a similar name."""
    table = Initiative._meta.db_table
    cursor.execute(
        f"""UPDATE {STAGING} s SET duplicate_of_id = (
            SELECT i.id FROM {table} i
            WHERE i.publication_status = ANY(%s) AND i.source <> s.source
              AND i.location && ST_Expand(s.location,
                  %s / greatest(cos(radians(ST_Y(s.location))), 0.1), %s)
              AND ST_DWithin(i.location::geography, s.location::geography, %s)
              AND similarity(i.name, s.name) >= %s
            ORDER BY similarity(i.name, s.name) DESC, i.id LIMIT 1)
        WHERE s.outcome = 'created'""",
        [
            list(LIVE_STATUSES),
            DUPLICATE_DISTANCE_M / METRES_PER_DEGREE,
            DUPLICATE_DISTANCE_M / METRES_PER_DEGREE,
            DUPLICATE_DISTANCE_M,
            DUPLICATE_MIN_SIMILARITY,
        ],
    )


def _write(cursor) -> None:
    table = Initiative._meta.db_table
    columns = [_qn(f.column) for f in _staged_fields()]
    selected = [
        f"CASE WHEN duplicate_of_id IS NULL THEN {c} ELSE %s END"
        if c == _qn("publication_status")
        else c
        for c in columns
    ]
    cursor.execute(
        f"""INSERT INTO {table} ({", ".join(columns)}, territory_id, duplicate_of_id,
                                 created_at, updated_at)
        SELECT {", ".join(selected)}, territory_id, duplicate_of_id, now(), now()
        FROM {STAGING} WHERE outcome = 'created' ORDER BY line""",
        [PublicationStatus.PENDING],
    )
    updates = [
        f"{_qn(f.column)} = CASE WHEN '{f.name}' = ANY(s.given) "
        f"THEN s.{_qn(f.column)} ELSE i.{_qn(f.column)} END"
        for f in _staged_fields()
        if f.name in UPDATABLE
    ]
    cursor.execute(
        f"""UPDATE {table} i SET {", ".join(updates)},
            territory_id = CASE WHEN 'location' = ANY(s.given)
                                THEN s.territory_id ELSE i.territory_id END,
            updated_at = now()
        FROM {STAGING} s WHERE s.outcome = 'updated' AND i.id = s.existing_id"""
    )


def _count(cursor, report: ImportReport, rejections: list) -> None:
    cursor.execute(
        f"SELECT outcome, count(*), count(duplicate_of_id) FROM {STAGING} GROUP BY outcome"
    )
    for outcome, count, duplicates in cursor.fetchall():
        if outcome in {"created", "updated", "unchanged"}:
            setattr(report, outcome, count)
        if outcome == "created":
            report.duplicates = duplicates
    cursor.execute(f"SELECT line, reason FROM {STAGING} WHERE outcome = 'rejected'")
    rejected = cursor.fetchall() + [(line, why) for line, _id, why in rejections]
    report.rejected = sorted(rejected)


def _lines(rejections: list) -> Iterable[ImportLine]:
    """Every line in file order: the staging table's, merged with the rows refused early."""
    early = iter(sorted(rejections))
    pending = next(early, None)
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"""SELECT line, source_id, outcome, coalesce(reason, ''), coalesce(notes, ''),
                       duplicate_of_id FROM {STAGING} ORDER BY line"""
        )
        for staged in cursor:
            while pending is not None and pending[0] < staged[0]:
                yield ImportLine(pending[0], pending[1], "rejected", pending[2])
                pending = next(early, None)
            yield ImportLine(*staged)
    while pending is not None:
        yield ImportLine(pending[0], pending[1], "rejected", pending[2])
        pending = next(early, None)


def import_rows(
    *,
    rows: Iterable[ImportRow],
    source: str,
    status: str = PublicationStatus.PUBLISHED,
    provenance: dict | None = None,
    dry_run: bool = False,
    progress: bool = False,
    total: int | None = None,
    on_line: Callable[[ImportLine], None] | None = None,
) -> ImportReport:
    """Create or update initiatives by (source, source id), in bulk. Rows breaking a rule are
    reported by line and not stored; `provenance` (licence, attribution) applies to every
    row that does not give its own. `on_line` receives every line's outcome, in file order."""
    stager = _Stager(source=source, status=status, provenance=provenance or {})
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
        stager.create_table(cursor)
        bar = tqdm(rows, desc=source, unit=" rows", total=total, disable=not progress)
        stager.copy(cursor, bar)
        cursor.execute(f"CREATE INDEX ON {STAGING} (line)")
        _locate(cursor)
        _classify(cursor, source)
        _link_duplicates(cursor)
        _count(cursor, report, stager.rejections)
        if on_line is not None:
            for line in _lines(stager.rejections):
                on_line(line)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _write(cursor)
            cursor.execute(f"DROP TABLE {STAGING}")
    return report
