"""PostgreSQL encodes the open data (GeoJSON with json_build_object/ST_AsGeoJSON, CSV) and
writes it with `COPY (…) TO STDOUT`, the fastest way out of PostgreSQL; Python only passes the
bytes on, in batches, so memory stays flat at any size.

Which rows are wanted is decided by a Django queryset (the same filters as the API); its SQL,
without the model's ordering (a sort of the whole selection for nothing), becomes the
`IN (...)` of the encoding query. Coordinates have 7 decimals (1 cm) everywhere.
"""

from collections.abc import Iterator

from django.db import connections, router, transaction
from django.db.models import QuerySet

from common.spreadsheet import spreadsheet_safe_sql
from initiatives.selectors import territories_with_initiative_counts
from opendata.columns import COLUMNS, PROPERTY_COLUMNS
from territories.models import Territory

BATCH_ROWS = 2000
BATCH_BYTES = 64 * 1024
COORDINATE_DECIMALS = 7  # 1 cm: what a point on this map can mean
EXPORT_PARALLEL_WORKERS = 2  # COPY of 100,000 features: 3.0 s with 2, 4.8 s without

_FROM_INITIATIVES = """
    FROM initiatives_initiative i
    LEFT JOIN territories_territory t ON t.id = i.territory_id
    WHERE i.id IN ({ids})
    ORDER BY i.id"""


def _json_object(pairs: list[tuple[str, str]]) -> str:
    return "json_build_object(" + ", ".join(f"'{key}', {sql}" for key, sql in pairs) + ")"


def initiative_feature_sql() -> str:
    """One GeoJSON Feature per initiative, as text (RFC 7946: lon/lat, no crs member)."""
    properties = _json_object([(column.name, column.json_sql) for column in PROPERTY_COLUMNS])
    return _json_object(
        [
            ("type", "'Feature'"),
            ("id", "i.id"),
            ("geometry", f"ST_AsGeoJSON(i.location, {COORDINATE_DECIMALS})::json"),
            ("properties", properties),
        ]
    )


def _unordered(ids: QuerySet) -> QuerySet:
    """The selection without ORDER BY (`IN (…)` does not care for the order), unless it is a
    page (a slice needs its order)."""
    return ids if ids.query.is_sliced else ids.order_by()


def _ids_sql(ids: QuerySet) -> tuple[str, tuple]:
    return _unordered(ids).values("id").query.sql_with_params()


def initiative_features_query(ids: QuerySet) -> tuple[str, tuple]:
    ids_sql, params = _ids_sql(ids)
    sql = f"SELECT ({initiative_feature_sql()})::text" + _FROM_INITIATIVES.format(ids=ids_sql)
    return sql, params


def _csv_cell_sql(column) -> str:
    """Text cells are made spreadsheet-safe (common.spreadsheet); GeoJSON is not concerned."""
    return spreadsheet_safe_sql(column.csv_sql) if column.type == "string" else column.csv_sql


def initiative_csv_query(ids: QuerySet) -> tuple[str, tuple]:
    ids_sql, params = _ids_sql(ids)
    select = ", ".join(f'{_csv_cell_sql(column)} AS "{column.name}"' for column in COLUMNS)
    return f"SELECT {select}" + _FROM_INITIATIVES.format(ids=ids_sql), params


def territory_features_query(ids: QuerySet) -> tuple[str, tuple]:
    """Territories with their population and the initiatives located in them (counted by
    initiatives.selectors.territories_with_initiative_counts, the API's own rule); polygons
    wound by the right-hand rule (exterior rings counter-clockwise), as RFC 7946 asks."""
    counted = (
        territories_with_initiative_counts(
            territories=Territory.objects.filter(id__in=_unordered(ids).values("id"))
        )
        .order_by()
        .values("id", "published_initiatives", "active_initiatives")
    )
    counted_sql, params = counted.query.sql_with_params()
    properties = _json_object(
        [
            ("code", "t.code"),
            ("name", "t.name"),
            ("level", "t.level"),
            ("parent", "p.code"),
            ("population", "t.population"),
            ("population_year", "t.population_year"),
            ("population_source", "t.population_source"),
            ("area_km2", "t.area_km2"),
            ("published_initiatives", "c.published_initiatives"),
            ("active_initiatives", "c.active_initiatives"),
        ]
    )
    feature = _json_object(
        [
            ("type", "'Feature'"),
            ("id", "t.code"),
            ("geometry", "ST_AsGeoJSON(ST_ForcePolygonCCW(t.geometry), 6)::json"),
            ("properties", properties),
        ]
    )
    sql = f"""SELECT ({feature})::text
        FROM ({counted_sql}) c
        JOIN territories_territory t ON t.id = c.id
        LEFT JOIN territories_territory p ON p.id = t.parent_id
        ORDER BY t.id"""
    return sql, params


def _connection():
    """Where public reads go: the read replica when there is one (config.db_router)."""
    from initiatives.models import Initiative

    return connections[router.db_for_read(Initiative)]


def feature_texts(sql: str, params: tuple) -> list[str]:
    """All rows at once: for pages of OGC items, where the page is small."""
    with _connection().cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def stream_feature_collection(sql: str, params: tuple) -> Iterator[bytes]:
    """A FeatureCollection written by PostgreSQL's COPY, passed on in BATCH_BYTES pieces.

    Each feature comes out as one line `,{…}` (CSV format with a delimiter and a quote that
    JSON text never holds: json_build_object escapes every control character, so nothing is
    quoted or escaped); the first comma is dropped."""
    lines = f"SELECT ',' || feature FROM ({sql}) AS features (feature)"
    chunks = _copy(lines, params, "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01'")

    def collection():
        yield b'{"type": "FeatureCollection", "features": [\n'
        first = True
        for chunk in chunks:
            yield chunk[1:] if first else chunk
            first = False
        yield b"]}\n"

    return collection()


def stream_csv(sql: str, params: tuple) -> Iterator[bytes]:
    """CSV with a header, written by PostgreSQL's COPY, passed on in BATCH_BYTES pieces."""
    return _copy(sql, params, "FORMAT csv, HEADER true")


def _copy(sql: str, params: tuple, options: str) -> Iterator[bytes]:
    """`COPY (sql) TO STDOUT WITH (options)`, in pieces of at least BATCH_BYTES (the last
    excepted); never an empty piece. The connection is chosen now, while the request's
    routing holds (the pieces are read after the view has returned)."""
    database = _connection()

    def pieces():
        with transaction.atomic(using=database.alias), database.cursor() as cursor:
            # A whole-table export is the long query that a parallel plan speeds up (the web
            # connections have none: settings.DATABASE_PARALLEL_WORKERS), for this one only.
            cursor.execute(f"SET LOCAL max_parallel_workers_per_gather = {EXPORT_PARALLEL_WORKERS}")
            raw = cursor.cursor
            query = raw.mogrify(sql, params)
            buffer = bytearray()
            with raw.copy(f"COPY ({query}) TO STDOUT WITH ({options})") as copy:
                for data in copy:
                    buffer += data
                    if len(buffer) >= BATCH_BYTES:
                        yield bytes(buffer)
                        buffer.clear()
            if buffer:
                yield bytes(buffer)

    return pieces()
