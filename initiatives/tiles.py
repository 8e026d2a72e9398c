"""Published initiatives as map tiles: what a browser downloads depends on the screen, not on
the size of the database.

One SQL query per tile (plain SQL rather than django-vectortiles: the clustering below is a
GROUP BY inside the same query, which that library does not express, and plain SQL keeps the
query in one readable place). The points inside the tile are grouped in a grid of 8 × 8 cells
per tile (32 units of a 256-unit tile: 64 screen pixels on the maps' 512-pixel tiles); each
cell gives one feature: the number of initiatives, their mean position and their extent, and,
for small groups (up to MEMBERS), the public fields of each one for the popup. At street
zooms cells hold one initiative each. Two encodings of the same query:

- GeoJSON (`.json`), drawn by the project's maps as focusable Leaflet markers;
- Mapbox Vector Tile (`.pbf`, PostGIS `ST_AsMVT`), layer `initiatives`, for other clients.

Below zoom CELL_ZOOMS, an unfiltered tile reads its cells from a table (TileCell) that the task
worker rebuilds for each data version (rebuild_tile_cells), rather than every point of a
département: the same cells, computed once per version instead of once per tile. A filtered tile,
or one asked for before the worker has caught up with the data, groups the points itself.

Only published initiatives, only public fields: the query names every column it reads.
"""

import hashlib
import json
import math

from django import forms
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from initiatives import choices
from initiatives.selectors import InitiativeFilters, initiatives_matching
from territories.selectors import territory_by_code
from territories.tiles import Tile, run_tile_query

CELLS_PER_TILE = 8
MEMBERS = 10
# Below this zoom a tile holds many cells and many rows: its rendering is kept in the shared
# cache (the key carries the data version). Above, the query costs less than a cache read.
CACHE_BELOW_ZOOM = 12
# Zooms 0 to CELL_ZOOMS - 1 have their cells in the TileCell table.
CELL_ZOOMS = CACHE_BELOW_ZOOM
EMPTY_GEOJSON = b'{"type":"FeatureCollection","features":[]}'


class TileFilterForm(forms.Form):
    """The maps' filters, as query parameters of a tile URL."""

    theme = forms.MultipleChoiceField(choices=choices.Theme.choices, required=False)
    actor_type = forms.MultipleChoiceField(choices=choices.ActorType.choices, required=False)
    collaboration_mode = forms.MultipleChoiceField(
        choices=choices.CollaborationMode.choices, required=False
    )
    since = forms.IntegerField(
        label=_("From (year)"), min_value=1800, max_value=2200, required=False
    )
    until = forms.IntegerField(label=_("To (year)"), min_value=1800, max_value=2200, required=False)
    asking = forms.BooleanField(label=_("Asking for support"), required=False)
    # The public map's search and place (initiatives.search): the same selection as its list.
    q = forms.CharField(max_length=200, required=False)
    territory = forms.CharField(max_length=20, required=False)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end year comes before the start year."))
        return data

    def sql(self) -> tuple[str, dict]:
        """AND-clauses and their parameters (values bound, never formatted in)."""
        data = self.cleaned_data
        clauses, params = [], {}
        if data.get("theme"):
            clauses.append("i.themes && %(themes)s::varchar[]")
            params["themes"] = data["theme"]
        if data.get("actor_type"):
            clauses.append("i.actor_types && %(actor_types)s::varchar[]")
            params["actor_types"] = data["actor_type"]
        if data.get("collaboration_mode"):
            clauses.append("i.collaboration_mode = ANY(%(modes)s::varchar[])")
            params["modes"] = data["collaboration_mode"]
        if data.get("since"):
            clauses.append("i.start_date >= make_date(%(since)s, 1, 1)")
            params["since"] = data["since"]
        if data.get("until"):
            clauses.append("i.start_date < make_date(%(until)s + 1, 1, 1)")
            params["until"] = data["until"]
        if data.get("asking"):
            clauses.append("cardinality(i.needs) > 0")
        if data.get("q", "").strip() or data.get("territory"):
            clauses.append(_searched_ids_clause(data.get("q", ""), data.get("territory"), params))
        return "".join(f"\n    AND {clause}" for clause in clauses), params

    def key(self) -> str:
        """A short stable digest of the chosen filters (for cache keys and ETags)."""
        data = {k: sorted(v) if isinstance(v, list) else v for k, v in self.cleaned_data.items()}
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _searched_ids_clause(text: str, code: str | None, params: dict) -> str:
    """`i.id IN (…)` for the initiatives the list finds (initiatives_matching), its SQL
    compiled by the ORM, its values bound under names of their own."""
    territory = territory_by_code(code=code) if code else None
    if code and territory is None:
        return "FALSE"
    matching = initiatives_matching(filters=InitiativeFilters(text=text, territory=territory))
    sql, values = matching.order_by().values("id").query.sql_with_params()
    parts = sql.split("%s")
    names = [f"searched_{n}" for n in range(len(values))]
    params.update(zip(names, values, strict=True))
    bound = parts[0] + "".join(
        f"%({name})s{part}" for name, part in zip(names, parts[1:], strict=True)
    )
    return f"i.id IN ({bound})"


def _cell(cells: str) -> str:
    """The cell of a point (lon, lat) in a grid of `cells` × `cells` over the world (Web
    Mercator): its column and row, the same expression for the tiles and the stored cells."""
    return (
        f"floor((lon + 180) / 360 * {cells}), "
        f"floor((1 - ln(tan(radians(lat)) + 1 / cos(radians(lat))) / pi()) / 2 * {cells})"
    )


LIVE_CELLS_SQL = (
    """
WITH points AS (
  SELECT i.id, ST_X(i.location) AS lon, ST_Y(i.location) AS lat
  FROM initiatives_initiative i
  WHERE i.publication_status = 'published'
    AND i.location && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
    AND ST_X(i.location) >= %(west)s AND ST_X(i.location) < %(east)s
    AND ST_Y(i.location) > %(south)s AND ST_Y(i.location) <= %(north)s{filters}
), cells AS (
  SELECT count(*) AS n, avg(lon) AS lon, avg(lat) AS lat,
         min(lon) AS west, min(lat) AS south, max(lon) AS east, max(lat) AS north,
         CASE WHEN count(*) <= %(members)s THEN array_agg(id) END AS ids
  FROM points
  GROUP BY """
    + _cell("%(cells)s")
    + """
)
"""
)

STORED_CELLS_SQL = """
WITH cells AS (
  SELECT c.count AS n, c.lon, c.lat, c.west, c.south, c.east, c.north, c.ids
  FROM initiatives_tilecell c
  WHERE c.zoom = %(z)s
    AND c."column" >= %(x)s * %(per_tile)s AND c."column" < (%(x)s + 1) * %(per_tile)s
    AND c."row" >= %(y)s * %(per_tile)s AND c."row" < (%(y)s + 1) * %(per_tile)s
)
"""

# The cell of a point at zoom z, z being a column of the query below.
ZOOM_CELL = _cell(f"(2 ^ z * {CELLS_PER_TILE})")
# Every published initiative in its cell at each zoom below CELL_ZOOMS, in one statement: the
# data version is read in the same snapshot as the points, so the build names exactly the
# version its cells describe.
REBUILD_CELLS_SQL = f"""
WITH points AS (
  SELECT i.id, ST_X(i.location) AS lon, ST_Y(i.location) AS lat
  FROM initiatives_initiative i
  WHERE i.publication_status = 'published' AND ST_Y(i.location) BETWEEN -85.0511 AND 85.0511
), cells AS (
  INSERT INTO initiatives_tilecell
    (zoom, "column", "row", count, lon, lat, west, south, east, north, ids)
  SELECT z, {ZOOM_CELL}, count(*), avg(lon), avg(lat), min(lon), min(lat), max(lon), max(lat),
         CASE WHEN count(*) <= %(members)s THEN array_agg(id ORDER BY id) END
  FROM points CROSS JOIN generate_series(0, %(zooms)s - 1) AS z
  GROUP BY z, {ZOOM_CELL}
  RETURNING 1
)
INSERT INTO initiatives_tilecellbuild (id, version, built_at)
SELECT 1, COALESCE((SELECT version FROM territories_dataversion WHERE name = 'initiatives'), 0),
       now()
FROM (SELECT count(*) FROM cells) AS written
ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, built_at = EXCLUDED.built_at
"""

GEOJSON_TAIL = """
SELECT c.n, c.lon, c.lat, c.west, c.south, c.east, c.north,
       (SELECT json_agg(json_build_object(
                  'id', i.id, 'name', i.name, 'short_description', i.short_description,
                  'themes', i.themes, 'needs', i.needs, 'is_synthetic', i.is_synthetic,
                  'lon', round(ST_X(i.location)::numeric, 7),
                  'lat', round(ST_Y(i.location)::numeric, 7),
                  'confirmed_on', COALESCE(i.last_confirmed_at, i.created_at)::date)
                ORDER BY i.name, i.id)
        FROM initiatives_initiative i
        WHERE i.id = ANY(c.ids) AND i.publication_status = 'published')
FROM cells c
ORDER BY c.n DESC, c.lon, c.lat
"""

MVT_TAIL = """
SELECT ST_AsMVT(features, 'initiatives', 4096, 'geom')
FROM (
  SELECT ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), 3857),
                      ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS geom,
         c.n AS count,
         CASE WHEN c.n = 1 THEN c.ids[1] END AS id,
         CASE WHEN c.n = 1 THEN (SELECT i.name FROM initiatives_initiative i
                                 WHERE i.id = c.ids[1]) END AS name
  FROM cells c
) AS features
"""


def tile_cache_key(kind: str, version: int, filters: TileFilterForm, tile: Tile) -> str:
    return f"tiles:initiatives:{kind}:{version}:{filters.key()}:{tile.z}:{tile.x}:{tile.y}"


def _query(tile: Tile, filters: TileFilterForm, tail: str) -> tuple[str, dict]:
    """The tile's SQL and parameters: its cells from the stored table when they describe the
    current data and no filter applies, else grouped from the points."""
    where, params = filters.sql()
    params |= {"z": tile.z, "x": tile.x, "y": tile.y, "members": MEMBERS}
    if not where and tile.z < CELL_ZOOMS and stored_cells_are_current():
        return STORED_CELLS_SQL + tail, params | {"per_tile": CELLS_PER_TILE}
    return LIVE_CELLS_SQL.format(filters=where) + tail, params | _live_params(tile)


def _live_params(tile: Tile) -> dict:
    west, south, east, north = tile.bounds()
    return {
        "west": west,
        "south": south,
        "east": east,
        "north": north,
        "cells": 2**tile.z * CELLS_PER_TILE,
    }


def stored_cells_are_current() -> bool:
    """Whether the TileCell rows describe the current published initiatives."""
    return run_tile_query(
        """SELECT EXISTS (SELECT 1 FROM initiatives_tilecellbuild b
                          JOIN territories_dataversion v ON v.name = 'initiatives'
                          WHERE b.version = v.version)""",
        {},
    )[0][0]


def rebuild_tile_cells() -> int:
    """Recompute every stored cell from the published initiatives, and record the data version
    they describe, in one transaction (readers keep the previous cells until it commits; a
    concurrent rebuild waits). Returns the data version built."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE initiatives_tilecell IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM initiatives_tilecell")
        cursor.execute(
            REBUILD_CELLS_SQL,
            {"members": MEMBERS, "zooms": CELL_ZOOMS},
        )
        cursor.execute("SELECT version FROM initiatives_tilecellbuild WHERE id = 1")
        return cursor.fetchone()[0]


def initiative_tile_geojson(*, tile: Tile, filters: TileFilterForm) -> bytes:
    rows = run_tile_query(*_query(tile, filters, GEOJSON_TAIL))
    features = []
    for n, lon, lat, west, south, east, north, members in rows:
        properties = {"count": n, "bbox": [round(v, 6) for v in (west, south, east, north)]}
        if members:
            for member in members:
                member["lon"], member["lat"] = float(member["lon"]), float(member["lat"])
            properties["initiatives"] = members
        if n == 1 and members:
            properties["id"] = members[0]["id"]
            lon, lat = members[0]["lon"], members[0]["lat"]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
                "properties": properties,
            }
        )
    if not features:
        return EMPTY_GEOJSON
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


def initiative_tile_mvt(*, tile: Tile, filters: TileFilterForm) -> bytes:
    rows = run_tile_query(*_query(tile, filters, MVT_TAIL))
    return bytes(rows[0][0]) if rows and rows[0][0] is not None else b""


def tiles_over(extent: tuple[float, float, float, float], z: int) -> list[Tile]:
    """The tiles of zoom z that meet the (west, south, east, north) extent."""
    west, south, east, north = extent
    n = 2**z

    def column(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180) / 360 * n)))

    def row(lat: float) -> int:
        lat = max(-85.0511, min(85.0511, lat))
        rad = math.radians(lat)
        return min(
            n - 1, max(0, int((1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * n))
        )

    return [
        Tile(z, x, y)
        for x in range(column(west), column(east) + 1)
        for y in range(row(north), row(south) + 1)
    ]


def warm_tiles(*, max_zoom: int = CACHE_BELOW_ZOOM - 1) -> int:
    """Render the maps' unfiltered low-zoom tiles over the served territory into the shared
    cache, for the current data version: the costly ones (a whole département in one tile)
    are then computed by the background worker, not by the first visitor. Returns how many."""
    from django.core.cache import caches

    cache = caches["tiles"]

    from territories.selectors import served_territory_extent
    from territories.tiles import TILE_CACHE_SECONDS, data_version

    extent = served_territory_extent()
    if extent is None:
        return 0
    version = data_version("initiatives")
    filters = TileFilterForm({})
    filters.is_valid()
    rendered = 0
    for z in range(0, max_zoom + 1):
        for tile in tiles_over(extent, z):
            key = tile_cache_key("json", version, filters, tile)
            if cache.get(key) is None:
                cache.set(
                    key, initiative_tile_geojson(tile=tile, filters=filters), TILE_CACHE_SECONDS
                )
                rendered += 1
    return rendered
