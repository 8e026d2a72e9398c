"""The OpenAPI 3.0 definition of the OGC API (conformance class oas30)."""

from opendata.ogc.collections import COLLECTIONS
from opendata.ogc.parameters import CQL2_TEXT, CRS84, DEFAULT_LIMIT, MAX_LIMIT


def _parameter(name: str, description: str, schema: dict, where: str = "query") -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
        "style": "form",
        "explode": False,
    } | ({"style": "simple"} if where == "path" else {})


def _response(description: str, media_types: tuple[str, ...] = ("application/json",)) -> dict:
    return {
        "description": description,
        "content": {media: {"schema": {"type": "object"}} for media in media_types},
    }


_F = _parameter("f", "Output format.", {"type": "string", "enum": ["json", "html"]})
_COLLECTION_ID = _parameter(
    "collectionId", "The collection.", {"type": "string", "enum": list(COLLECTIONS)}, "path"
)
_ITEMS = [
    _F,
    _COLLECTION_ID,
    _parameter(
        "limit",
        "How many features per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
    _parameter("offset", "How many features to skip.", {"type": "integer", "minimum": 0}),
    _parameter(
        "bbox",
        "west,south,east,north in CRS84 degrees.",
        {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
    ),
    _parameter(
        "datetime",
        "On the start date: an instant, or an interval a/b with '..' for an open end.",
        {"type": "string"},
    ),
    _parameter(
        "filter",
        "A CQL2 text expression over the collection's queryables (see /queryables): "
        "= <> < <= > >=, AND, OR, NOT, IS [NOT] NULL, LIKE, BETWEEN, IN, the A_ array "
        "functions (e.g. A_CONTAINS(themes, ('food'))), the S_ spatial functions with BBOX(...) "
        "or WKT in CRS84 (e.g. S_INTERSECTS(geometry, BBOX(-0.6,44.8,-0.5,44.9))), "
        "DATE('2024-01-31') and TIMESTAMP('2024-01-31T12:00:00Z'). Combined with the other "
        "filters by AND.",
        {"type": "string"},
    ),
    _parameter(
        "filter-lang",
        "The language of filter.",
        {"type": "string", "enum": [CQL2_TEXT], "default": CQL2_TEXT},
    ),
    _parameter(
        "filter-crs",
        "The CRS of the geometries in filter.",
        {"type": "string", "format": "uri", "enum": [CRS84], "default": CRS84},
    ),
]
_GEOJSON = ("application/geo+json", "text/html")


def openapi_document(*, base_url: str) -> dict:
    base_url = base_url.rstrip("/")
    item_id = _parameter("featureId", "The feature.", {"type": "string"}, "path")
    paths = {
        "/": {"get": _operation("landingPage", "Landing page", [_F], _response("Links"))},
        "/conformance": {
            "get": _operation("conformance", "Conformance classes", [_F], _response("Classes"))
        },
        "/api": {"get": _operation("api", "This document", [], _response("OpenAPI 3.0"))},
        "/collections": {
            "get": _operation("collections", "Collections", [_F], _response("Collections"))
        },
        "/collections/{collectionId}": {
            "get": _operation(
                "collection", "A collection", [_F, _COLLECTION_ID], _response("Collection")
            )
        },
        "/collections/{collectionId}/queryables": {
            "get": _operation(
                "queryables",
                "Properties a CQL2 filter may name",
                [_F, _COLLECTION_ID],
                _response("JSON Schema", ("application/schema+json",)),
            )
        },
        "/collections/{collectionId}/items": {
            "get": _operation("items", "Features", _ITEMS, _response("Features", _GEOJSON))
        },
        "/collections/{collectionId}/items/{featureId}": {
            "get": _operation(
                "item", "A feature", [_F, _COLLECTION_ID, item_id], _response("Feature", _GEOJSON)
            )
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Territorial Radar - OGC API - Features",
            "version": "1.0.0",
            "description": "Local collaborative initiatives and territories. No personal data.",
        },
        "servers": [{"url": base_url}],
        "paths": paths,
    }


def _operation(operation_id: str, summary: str, parameters: list, ok: dict) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "parameters": parameters,
        "responses": {
            "200": ok,
            "400": _response("Bad parameter"),
            "404": _response("Not found"),
        },
    }
