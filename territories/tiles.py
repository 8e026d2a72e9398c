"""Map tiles: XYZ tile arithmetic, data versions, and the territories' light vector layer.

Every tile URL carries the version of the data it draws (`DataVersion`, raised by database
triggers), so a tile can be cached for a year by the browser and any proxy: new data give new
URLs. A request for an older version is redirected to the current one.

The territories' layer ("our own basemap", and the radar's choropleth geometry) is served per
tile as GeoJSON: the territories of one level meeting the tile, simplified to about a pixel at
that zoom, not clipped (the browser keeps one copy per code, so outlines have no seams). It is
one query per tile, whatever the number of communes in the country.
"""

import gzip
import hashlib
import json
import math
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import gettext as _

from territories.models import DataVersion, Territory

MAX_ZOOM = 20
# Display tiles are 256 units wide; the maps ask for one tile per 512 screen pixels.
TILE_UNITS = 256
# Territories of a level are served from this zoom on (below, they are smaller than a pixel).
MIN_ZOOM_FOR_LEVEL = {
    Territory.Level.REGION: 0,
    Territory.Level.DEPARTEMENT: 0,
    Territory.Level.EPCI: 5,
    Territory.Level.COMMUNE: 7,
}
TILE_CACHE_SECONDS = 7 * 24 * 3600


class TileError(ValueError):
    """Tile coordinates out of range; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Tile:
    z: int
    x: int
    y: int

    @classmethod
    def checked(cls, z: int, x: int, y: int) -> "Tile":
        errors = {}
        if not 0 <= z <= MAX_ZOOM:
            errors["z"] = [_("The zoom must be between 0 and %(max)s.") % {"max": MAX_ZOOM}]
        elif not 0 <= x < 2**z:
            errors["x"] = [_("Column %(x)s does not exist at zoom %(z)s.") % {"x": x, "z": z}]
        if "z" not in errors and not 0 <= y < 2**z:
            errors["y"] = [_("Row %(y)s does not exist at zoom %(z)s.") % {"y": y, "z": z}]
        if errors:
            raise TileError(errors)
        return cls(z, x, y)

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees (WGS84)."""
        n = 2**self.z

        def lat(row: int) -> float:
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

        return (self.x / n * 360 - 180, lat(self.y + 1), (self.x + 1) / n * 360 - 180, lat(self.y))

    def degrees_per_unit(self) -> float:
        return 360 / (2**self.z * TILE_UNITS)


def data_version(name: str) -> int:
    """The current version of a kind of data ("initiatives", "territories")."""
    row = DataVersion.objects.filter(name=name).values_list("version", flat=True).first()
    return row or 0


def etag_for(version: int, *parts: object) -> str:
    text = "|".join(map(str, (version, *parts)))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:24] + '"'


# A parallel plan costs a tile 36 times more on 2 cores (the workers' start-up dwarfs a
# millisecond's work). Sent in the same message as the tile's query, SET LOCAL holds for that
# query only (PostgreSQL runs a multi-statement message as one implicit transaction): one round
# trip, nothing left on the pooled connection. Needs Django's default client-side binding.
NO_PARALLEL_PLAN = "SET LOCAL max_parallel_workers_per_gather = 0;\n"


def run_tile_query(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(NO_PARALLEL_PLAN + sql, params)
        cursor.nextset()
        return cursor.fetchall()


def cached_tile(key: str, render, *, cache_it: bool):
    """The rendered tile from the shared cache (keys carry the data version), or render it."""
    if cache_it and (hit := caches["tiles"].get(key)) is not None:
        return hit
    value = render()
    if cache_it:
        caches["tiles"].set(key, value, TILE_CACHE_SECONDS)
    return value


TERRITORY_TILE_SQL = """
SELECT t.code, t.name,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(t.geometry, %(tolerance)s), %(digits)s)
FROM territories_territory t
WHERE t.level = %(level)s
  AND t.geometry && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
ORDER BY t.code
"""


def territory_tile_geojson(*, level: str, tile: Tile) -> bytes:
    """The territories of `level` meeting the tile, as a
    GeoJSON FeatureCollection with `code` and `name`, simplified to about one pixel."""
    if tile.z < MIN_ZOOM_FOR_LEVEL.get(level, 0):
        return b'{"type":"FeatureCollection","features":[]}'
    west, south, east, north = tile.bounds()
    unit = tile.degrees_per_unit()
    params = {
        "level": level,
        "west": west,
        "south": south,
        "east": east,
        "north": north,
        # About a display pixel (the maps draw a 256-unit tile on 512 pixels).
        "tolerance": unit / 2,
        "digits": max(3, min(7, math.ceil(-math.log10(unit / 2)))),
    }
    rows = run_tile_query(TERRITORY_TILE_SQL, params)
    features = ",".join(
        f'{{"type":"Feature","id":{_json(code)},"properties":{{"code":{_json(code)},'
        f'"name":{_json(name)}}},"geometry":{geometry}}}'
        for code, name, geometry in rows
    )
    return ('{"type":"FeatureCollection","features":[' + features + "]}").encode()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# Responses ----------------------------------------------------------------------------------

IMMUTABLE = "public, max-age=31536000, immutable"


def bad_tile_request(errors: dict[str, list[str]]) -> JsonResponse:
    response = JsonResponse({"errors": errors}, status=400)
    response["Cache-Control"] = "no-store"
    return response


def redirect_to_current(request: HttpRequest, url: str) -> HttpResponse:
    """An older data version in the URL: the current tile is elsewhere (never cached)."""
    if request.META.get("QUERY_STRING"):
        url = f"{url}?{request.META['QUERY_STRING']}"
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-cache"
    return response


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    response = get_conditional_response(request, etag=etag)
    if response is not None:
        response["Cache-Control"] = IMMUTABLE
    return response


def tile_response(request: HttpRequest, body: bytes, *, content_type: str, etag: str):
    """A versioned tile: cached for a year (its URL changes with the data), gzipped for
    clients that accept it."""
    if len(body) > 512 and wants_gzip(request):
        response = HttpResponse(gzip.compress(body, compresslevel=5), content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = IMMUTABLE
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def wants_gzip(request: HttpRequest) -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, *options = (item.strip() for item in part.split(";"))
        if name in {"gzip", "*"} and "q=0" not in options:
            return True
    return False
