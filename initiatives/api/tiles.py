"""Tiles of published initiatives (see initiatives.tiles): GeoJSON clusters for the project's
maps and Mapbox Vector Tiles for other clients. Versioned URLs, cached for a year."""

from django.http import HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_safe

from initiatives.tiles import (
    CACHE_BELOW_ZOOM,
    TileFilterForm,
    initiative_tile_geojson,
    initiative_tile_mvt,
    tile_cache_key,
)
from territories import tiles

FORMATS = {
    "json": ("application/geo+json", initiative_tile_geojson, "tiles:initiatives"),
    "pbf": ("application/vnd.mapbox-vector-tile", initiative_tile_mvt, "tiles:initiatives-mvt"),
}


def _initiative_tile(request: HttpRequest, version: int, z: int, x: int, y: int, *, kind: str):
    content_type, render, url_name = FORMATS[kind]
    try:
        tile = tiles.Tile.checked(z, x, y)
    except tiles.TileError as error:
        return tiles.bad_tile_request(error.errors)
    filters = TileFilterForm(request.GET)
    if not filters.is_valid():
        return tiles.bad_tile_request(filters.errors)
    current = tiles.data_version("initiatives")
    if version != current:
        return tiles.redirect_to_current(request, reverse(url_name, args=[current, z, x, y]))
    etag = tiles.etag_for(current, kind, filters.key(), z, x, y)
    if response := tiles.not_modified(request, etag):
        return response
    body = tiles.cached_tile(
        tile_cache_key(kind, current, filters, tile),
        lambda: render(tile=tile, filters=filters),
        cache_it=z < CACHE_BELOW_ZOOM,
    )
    return tiles.tile_response(request, body, content_type=content_type, etag=etag)


@require_safe
def initiative_tile(request: HttpRequest, version: int, z: int, x: int, y: int):
    return _initiative_tile(request, version, z, x, y, kind="json")


@require_safe
def initiative_tile_pbf(request: HttpRequest, version: int, z: int, x: int, y: int):
    return _initiative_tile(request, version, z, x, y, kind="pbf")
