"""The territories' vector layer, per tile (GeoJSON): the maps' own basemap (outline of the
served territory, EPCI and commune boundaries, commune names) and the radar's choropleth
geometry, whose figures come separately from /api/v1/radar/gaps/?geometry=false."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from territories import tiles
from territories.models import Territory


@require_safe
def territory_tile(request: HttpRequest, version: int, level: str, z: int, x: int, y: int):
    try:
        tile = tiles.Tile.checked(z, x, y)
    except tiles.TileError as error:
        return tiles.bad_tile_request(error.errors)
    if level not in Territory.Level.values:
        choices = ", ".join(Territory.Level.values)
        return tiles.bad_tile_request(
            {"level": [_("Unknown level; choose one of: %(choices)s.") % {"choices": choices}]}
        )
    current = tiles.data_version("territories")
    if version != current:
        return tiles.redirect_to_current(
            request, reverse("tiles:territories", args=[current, level, z, x, y])
        )
    etag = tiles.etag_for(current, "territories", level, z, x, y)
    if response := tiles.not_modified(request, etag):
        return response
    body = tiles.cached_tile(
        f"tiles:territories:{current}:{level}:{z}:{x}:{y}",
        lambda: tiles.territory_tile_geojson(level=level, tile=tile),
        cache_it=True,
    )
    return tiles.tile_response(request, body, content_type="application/geo+json", etag=etag)
