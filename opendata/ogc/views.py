"""OGC API - Features, Part 1 Core, with the GeoJSON, HTML and OpenAPI 3.0 classes.

Items are encoded by PostgreSQL (the same SQL as the open-data downloads); each page costs
two queries, one to count and one to encode.
"""

import json
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common.counting import bounded_count
from opendata.encoding import feature_texts
from opendata.ogc.collections import COLLECTIONS, Collection
from opendata.ogc.openapi import openapi_document
from opendata.ogc.parameters import ItemsParameters, ParameterError, items_parameters

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    # Part 3 (filtering) with CQL2 text: only the classes opendata/ogc/cql2.py implements.
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/array-functions",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def _wants_html(request: HttpRequest) -> bool:
    """?f= decides; otherwise HTML only when the client prefers it to JSON (a browser)."""
    f = request.GET.get("f")
    if f:
        return f == "html"
    accept = request.headers.get("Accept", "")
    html_at, json_at = accept.find(HTML), max(accept.find("json"), accept.find("geo+json"))
    return html_at != -1 and (json_at == -1 or html_at < json_at)


def _url(request: HttpRequest, name: str, *args, **query) -> str:
    url = request.build_absolute_uri(reverse(f"ogc:{name}", args=args))
    pairs = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{url}?{pairs}" if pairs else url


def _link(href: str, rel: str, media_type: str, title: str = "") -> dict:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _self_links(request: HttpRequest, name: str, *args, json_type: str = JSON) -> list[dict]:
    return [
        _link(_url(request, name, *args, f="json"), "self", json_type, _("This document")),
        _link(_url(request, name, *args, f="html"), "alternate", HTML, _("This document as HTML")),
    ]


def _exception(status: int, code: str, description: str) -> JsonResponse:
    return JsonResponse({"code": code, "description": description}, status=status)


def _respond(request, document: dict, *, template: str, media_type: str = JSON, **context):
    if request.GET.get("f") not in (None, "json", "html"):
        return _exception(400, "InvalidParameterValue", _("f must be json or html."))
    if _wants_html(request):
        return render(request, f"opendata/ogc/{template}", {"document": document, **context})
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = media_type
    return response


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    document = {
        "title": _("Territorial Radar"),
        "description": _("Local collaborative initiatives and territories, as open data."),
        "links": [
            *_self_links(request, "landing"),
            _link(_url(request, "openapi"), "service-desc", OPENAPI, _("API definition")),
            _link(_url(request, "conformance"), "conformance", JSON, _("Conformance classes")),
            _link(_url(request, "collections"), "data", JSON, _("Collections")),
        ],
    }
    return _respond(request, document, template="landing.html")


@require_safe
def conformance(request: HttpRequest) -> HttpResponse:
    return _respond(request, {"conformsTo": CONFORMANCE}, template="conformance.html")


@require_safe
def openapi(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(openapi_document(base_url=_url(request, "landing")))
    response["Content-Type"] = OPENAPI
    return response


def _collection_document(request: HttpRequest, collection: Collection) -> dict:
    extent = {"spatial": {"bbox": [collection.spatial_extent() or [-180, -90, 180, 90]]}}
    extent["spatial"]["crs"] = CRS84
    if temporal := collection.temporal_extent():
        extent["temporal"] = {
            "interval": [temporal],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    return {
        "id": collection.id,
        "title": str(collection.title),
        "description": str(collection.description),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": extent,
        "links": [
            *_self_links(request, "collection", collection.id),
            _link(_url(request, "items", collection.id, f="json"), "items", GEOJSON, _("Items")),
            _link(_url(request, "items", collection.id, f="html"), "items", HTML, _("Items")),
            _link(
                _url(request, "queryables", collection.id),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                _("Queryables"),
            ),
        ],
    }


@require_safe
def collections(request: HttpRequest) -> HttpResponse:
    document = {
        "links": _self_links(request, "collections"),
        "collections": [_collection_document(request, c) for c in COLLECTIONS.values()],
    }
    return _respond(request, document, template="collections.html")


@require_safe
def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    if collection_id not in COLLECTIONS:
        return _exception(404, "NotFound", _("No such collection."))
    document = _collection_document(request, COLLECTIONS[collection_id])
    return _respond(request, document, template="collection.html")


@require_safe
def items(request: HttpRequest, collection_id: str) -> HttpResponse:
    if collection_id not in COLLECTIONS:
        return _exception(404, "NotFound", _("No such collection."))
    collection = COLLECTIONS[collection_id]
    try:
        parameters = items_parameters(request, collection)
    except ParameterError as error:
        return _exception(400, "InvalidParameterValue", str(error))
    # numberMatched is exact up to common.counting.EXACT_UP_TO, left out beyond (optional in
    # OGC API - Features): an items page never counts the whole table.
    matched, estimated = bounded_count(parameters.rows)
    page = parameters.rows.order_by("id").values("id")[
        parameters.offset : parameters.offset + parameters.limit
    ]
    features = feature_texts(*collection.features_query(page))
    if estimated:
        matched = None
    if _wants_html(request):
        context = {"collection": collection, "features": [json.loads(f) for f in features]}
        head = _items_head(request, collection, parameters, matched, len(features))
        return _respond(request, head, template="items.html", **context)
    return _items_json(request, collection, parameters, matched, features)


def _items_head(request, collection, parameters: ItemsParameters, matched, returned) -> dict:
    head = {"type": "FeatureCollection"}
    if matched is not None:
        head["numberMatched"] = matched
    return head | {
        "numberReturned": returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": _items_links(request, collection, parameters, matched, returned),
    }


def _items_json(request, collection, parameters, matched, features: list[str]) -> HttpResponse:
    head = _items_head(request, collection, parameters, matched, len(features))
    # The features are already JSON text: splice them in rather than parse and re-encode.
    body = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [' + ",".join(features) + "]}"
    return HttpResponse(body, content_type=GEOJSON, headers={"Content-Crs": f"<{CRS84}>"})


def _items_links(
    request, collection, parameters: ItemsParameters, matched: int | None, returned: int
) -> list[dict]:
    def page(offset: int, f: str = "json") -> str:
        query = request.GET.copy()
        query["offset"], query["limit"], query["f"] = str(offset), str(parameters.limit), f
        return request.build_absolute_uri(request.path) + "?" + query.urlencode()

    links = [
        _link(page(parameters.offset), "self", GEOJSON, _("This page")),
        _link(page(parameters.offset, "html"), "alternate", HTML, _("This page as HTML")),
        _link(_url(request, "collection", collection.id), "collection", JSON, _("The collection")),
    ]
    more = (
        returned == parameters.limit
        if matched is None
        else parameters.offset + parameters.limit < matched
    )
    if more:
        links.append(
            _link(page(parameters.offset + parameters.limit), "next", GEOJSON, _("Next page"))
        )
    if parameters.offset > 0:
        previous = max(parameters.offset - parameters.limit, 0)
        links.append(_link(page(previous), "prev", GEOJSON, _("Previous page")))
    return links


@require_safe
def item(request: HttpRequest, collection_id: str, feature_id: str) -> HttpResponse:
    if collection_id not in COLLECTIONS:
        return _exception(404, "NotFound", _("No such collection."))
    collection = COLLECTIONS[collection_id]
    features = feature_texts(*collection.features_query(collection.id_lookup(feature_id)))
    if not features:
        return _exception(404, "NotFound", _("No such feature."))
    feature = json.loads(features[0])
    feature["links"] = [
        *_self_links(request, "item", collection.id, feature_id, json_type=GEOJSON),
        _link(_url(request, "collection", collection.id), "collection", JSON, _("The collection")),
    ]
    return _respond(
        request, feature, template="item.html", media_type=GEOJSON, collection=collection
    )


@require_safe
def queryables(request: HttpRequest, collection_id: str) -> HttpResponse:
    if collection_id not in COLLECTIONS:
        return _exception(404, "NotFound", _("No such collection."))
    collection = COLLECTIONS[collection_id]
    document = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": _url(request, "queryables", collection.id),
        "type": "object",
        "title": str(collection.title),
        "description": _("Properties a CQL2 filter (filter-lang=cql2-text) may name."),
        "properties": {
            name: queryable.json_schema() for name, queryable in collection.queryables.items()
        },
        "additionalProperties": False,
    }
    return _respond(
        request, document, template="queryables.html", media_type="application/schema+json"
    )
