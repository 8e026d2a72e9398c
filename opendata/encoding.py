"""PostgreSQL encodes the open data (GeoJSON with json_build_object/ST_AsGeoJSON, CSV with
COPY); Python only passes the bytes on, in batches, so memory stays flat at any size.

Which rows are wanted is decided by a Django queryset (the same filters as the API); its SQL
becomes the `IN (...)` of the encoding query.
"""

from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import QuerySet

from initiatives.selectors import territories_with_initiative_counts
from opendata.columns import COLUMNS, PROPERTY_COLUMNS
from territories.models import Territory

BATCH_ROWS = 2000
BATCH_BYTES = 64 * 1024

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
            ("geometry", "ST_AsGeoJSON(i.location)::json"),
            ("properties", properties),
        ]
    )


def initiative_features_query(ids: QuerySet) -> tuple[str, tuple]:
    ids_sql, params = ids.values("id").query.sql_with_params()
    sql = f"SELECT ({initiative_feature_sql()})::text" + _FROM_INITIATIVES.format(ids=ids_sql)
    return sql, params


def initiative_csv_query(ids: QuerySet) -> tuple[str, tuple]:
    ids_sql, params = ids.values("id").query.sql_with_params()
    select = ", ".join(f'{column.csv_sql} AS "{column.name}"' for column in COLUMNS)
    return f"SELECT {select}" + _FROM_INITIATIVES.format(ids=ids_sql), params


def territory_features_query(ids: QuerySet) -> tuple[str, tuple]:
    """Territories with their population and the initiatives located in them (counted by
    initiatives.selectors.territories_with_initiative_counts, the API's own rule); polygons
    wound by the right-hand rule (exterior rings counter-clockwise), as RFC 7946 asks."""
    counted = territories_with_initiative_counts(
        territories=Territory.objects.filter(id__in=ids.values("id"))
    ).values("id", "published_initiatives", "active_initiatives")
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


def feature_texts(sql: str, params: tuple) -> list[str]:
    """All rows at once: for pages of OGC items, where the page is small."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def stream_feature_collection(sql: str, params: tuple) -> Iterator[bytes]:
    """A FeatureCollection read through a server-side cursor, BATCH_ROWS rows at a time.

    The transaction keeps the cursor lazy (a cursor WITH HOLD would materialise every row
    first)."""
    yield b'{"type": "FeatureCollection", "features": [\n'
    first = True
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(BATCH_ROWS):
            text = ",\n".join(row[0] for row in rows)
            yield (text if first else ",\n" + text).encode()
            first = False
    yield b"\n]}\n"


def stream_csv(sql: str, params: tuple) -> Iterator[bytes]:
    """CSV with a header, written by PostgreSQL's COPY, passed on in BATCH_BYTES pieces."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        query = raw.mogrify(sql, params)
        buffer = bytearray()
        with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for data in copy:
                buffer += data
                if len(buffer) >= BATCH_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
        if buffer:
            yield bytes(buffer)
