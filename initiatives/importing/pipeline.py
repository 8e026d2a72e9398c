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
LOCATED = "import_located"
OUTCOME = "import_outcome"
DUPLICATES = "import_duplicates"
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
            "DROP COLUMN updated_at, DROP COLUMN territory_id, DROP COLUMN duplicate_of_id, "
            "ADD COLUMN line integer, ADD COLUMN given text[], ADD COLUMN create_errors text, "
            "ADD COLUMN notes text"
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


def _temp_table(cursor, name: str, select: str, params=()) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {select}", params)


def _locate(cursor) -> None:
    """Every point's finest territory, in one spatial join. It runs territory by territory
    over an index of the points, so that PostGIS prepares each polygon once instead of
    reading it again for every point."""
    cursor.execute(f"CREATE INDEX ON {STAGING} USING gist (location)")
    cursor.execute(f"ANALYZE {STAGING}")
    _temp_table(
        cursor,
        LOCATED,
        f"""SELECT DISTINCT ON (p.line) p.line, t.id AS territory_id
        FROM {Territory._meta.db_table} t JOIN {STAGING} p ON ST_Intersects(t.geometry, p.location)
        ORDER BY p.line, {_rank_sql()} DESC, t.code""",
    )


def _given_sets(cursor) -> list[list[str]]:
    """The distinct sets of fields the rows give: one per file, as a rule."""
    cursor.execute(f"SELECT DISTINCT given FROM {STAGING}")
    return [given for (given,) in cursor.fetchall()]


def _columns_given(given: list[str]) -> list:
    return [f for f in _staged_fields() if f.name in UPDATABLE and f.name in given]


def _changed_sql(given_sets: list[list[str]]) -> tuple[str, list]:
    """Whether a stored initiative differs from its row on the fields the row gives."""
    cases, params = [], []
    for given in given_sets:
        columns = [_qn(f.column) for f in _columns_given(given)]
        mine = ", ".join(f"s.{c}" for c in columns)
        stored = ", ".join(f"i.{c}" for c in columns)
        cases.append(f"WHEN s.given = %s::text[] THEN ROW({mine}) IS DISTINCT FROM ROW({stored})")
        params.append(given)
    if not cases:  # no row got this far: nothing to compare
        return "false", params
    return f"CASE {' '.join(cases)} END", params


def _classify(cursor, source: str, given_sets: list[list[str]]) -> None:
    """Each line's outcome: rejected (with the reason), created, updated or unchanged."""
    served = settings.RADAR_SERVED_TERRITORY
    changed, changed_params = _changed_sql(given_sets)
    outside = "location: " + _("This place is outside the territory served by the radar.")
    repeated = _("The same id appears earlier in the file.")
    _temp_table(
        cursor,
        OUTCOME,
        f"""SELECT s.line, l.territory_id, s.existing_id, s.outcome, CASE
                WHEN s.outcome <> 'rejected' THEN NULL WHEN s.repeat > 1 THEN %s
                WHEN NOT s.inside THEN %s ELSE s.create_errors END AS reason
        FROM (SELECT s.*, i.id AS existing_id, CASE
                  WHEN s.repeat > 1 OR NOT s.inside THEN 'rejected'
                  WHEN i.id IS NULL AND s.create_errors IS NOT NULL THEN 'rejected'
                  WHEN i.id IS NULL THEN 'created'
                  WHEN {changed} THEN 'updated' ELSE 'unchanged' END AS outcome
              FROM (SELECT s.*,
                        row_number() OVER (PARTITION BY s.source_id ORDER BY s.line) AS repeat,
                        coalesce(ST_Contains(served.geometry, s.location), false) AS inside
                    FROM {STAGING} s, (SELECT geometry FROM {Territory._meta.db_table}
                                       WHERE level = %s AND code = %s) served) s
              LEFT JOIN {Initiative._meta.db_table} i
                     ON i.source = %s AND i.source_id = s.source_id AND i.source_id <> '') s
        LEFT JOIN {LOCATED} l ON l.line = s.line""",
        [repeated, outside, *changed_params, served["level"], served["code"], source],
    )


def _link_duplicates(cursor) -> None:
    """New records within 150 m of another source's live initiative with a similar name."""
    table = Initiative._meta.db_table
    _temp_table(
        cursor,
        DUPLICATES,
        f"""SELECT line, duplicate_of_id FROM (
            SELECT s.line, (
                SELECT i.id FROM {table} i
                WHERE i.publication_status = ANY(%s) AND i.source <> s.source
                  AND i.location && ST_Expand(s.location,
                      %s / greatest(cos(radians(ST_Y(s.location))), 0.1), %s)
                  AND ST_DWithin(i.location::geography, s.location::geography, %s)
                  AND similarity(i.name, s.name) >= %s
                ORDER BY similarity(i.name, s.name) DESC, i.id LIMIT 1) AS duplicate_of_id
            FROM {STAGING} s JOIN {OUTCOME} o ON o.line = s.line
            WHERE o.outcome = 'created') found
        WHERE duplicate_of_id IS NOT NULL""",
        [
            list(LIVE_STATUSES),
            DUPLICATE_DISTANCE_M / METRES_PER_DEGREE,
            DUPLICATE_DISTANCE_M / METRES_PER_DEGREE,
            DUPLICATE_DISTANCE_M,
            DUPLICATE_MIN_SIMILARITY,
        ],
    )


def _write(cursor, given_sets: list[list[str]]) -> None:
    table = Initiative._meta.db_table
    columns = [_qn(f.column) for f in _staged_fields()]
    selected = [
        f"CASE WHEN d.duplicate_of_id IS NULL THEN s.{c} ELSE %s END"
        if c == _qn("publication_status")
        else f"s.{c}"
        for c in columns
    ]
    cursor.execute(
        f"""INSERT INTO {table} ({", ".join(columns)}, territory_id, duplicate_of_id,
                                 created_at, updated_at)
        SELECT {", ".join(selected)}, o.territory_id, d.duplicate_of_id, now(), now()
        FROM {STAGING} s JOIN {OUTCOME} o ON o.line = s.line
        LEFT JOIN {DUPLICATES} d ON d.line = s.line
        WHERE o.outcome = 'created' ORDER BY s.line""",
        [PublicationStatus.PENDING],
    )
    for given in given_sets:
        updates = [f"{_qn(f.column)} = s.{_qn(f.column)}" for f in _columns_given(given)]
        if "location" in given:
            updates.append("territory_id = o.territory_id")
        cursor.execute(
            f"""UPDATE {table} i SET {", ".join(updates)}, updated_at = now()
            FROM {STAGING} s JOIN {OUTCOME} o ON o.line = s.line
            WHERE o.outcome = 'updated' AND i.id = o.existing_id AND s.given = %s::text[]""",
            [given],
        )


def _count(cursor, report: ImportReport, rejections: list) -> None:
    cursor.execute(f"SELECT outcome, count(*) FROM {OUTCOME} GROUP BY outcome")
    for outcome, count in cursor.fetchall():
        if outcome in {"created", "updated", "unchanged"}:
            setattr(report, outcome, count)
    cursor.execute(f"SELECT count(*) FROM {DUPLICATES}")
    report.duplicates = cursor.fetchone()[0]
    cursor.execute(f"SELECT line, reason FROM {OUTCOME} WHERE outcome = 'rejected'")
    rejected = cursor.fetchall() + [(line, why) for line, _id, why in rejections]
    report.rejected = sorted(rejected)


def _lines(rejections: list) -> Iterable[ImportLine]:
    """Every line in file order: the staging table's, merged with the rows refused early."""
    early = iter(sorted(rejections))
    pending = next(early, None)
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"""SELECT s.line, s.source_id, o.outcome, coalesce(o.reason, ''),
                       coalesce(s.notes, ''), d.duplicate_of_id
                FROM {STAGING} s JOIN {OUTCOME} o ON o.line = s.line
                LEFT JOIN {DUPLICATES} d ON d.line = s.line ORDER BY s.line"""
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
        given_sets = _given_sets(cursor)
        _classify(cursor, source, given_sets)
        _link_duplicates(cursor)
        _count(cursor, report, stager.rejections)
        if on_line is not None:
            for line in _lines(stager.rejections):
                on_line(line)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _write(cursor, given_sets)
            for table in (STAGING, LOCATED, OUTCOME, DUPLICATES):
                cursor.execute(f"DROP TABLE {table}")
    return report
