"""Open data: streamed GeoJSON and CSV downloads, their Table Schema and the data page.

Synthetic demonstration initiatives are included and flagged (is_synthetic = true) in every
output, as in the API and the OGC service, so that all of them count the same features;
?is_synthetic=false leaves them out.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from common.counting import cached_figure
from initiatives.api.filters import InitiativeFilter
from initiatives.choices import LICENCE_URLS, SHARE_ALIKE, Licence
from initiatives.selectors import (
    initiatives_change_stamp,
    published_initiatives,
    published_sources,
)
from opendata import encoding, http
from opendata.catalogue import code_lists, data_sources, table_schema
from territories.api.filters import TerritoryFilter
from territories.models import Territory
from territories.selectors import territories_change_stamp


def _bad_request(errors) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400)


def _initiatives(request: HttpRequest):
    return InitiativeFilter(request.GET, queryset=published_initiatives())


def _initiatives_export(request, *, filename, query, stream, content_type) -> HttpResponse:
    """A published-initiatives export, filtered like the API, streamed, with validators."""
    selection = _initiatives(request)
    if not selection.is_valid():
        return _bad_request(selection.errors)
    # Once per data version and query: a 304 never reads the table (common.counting).
    count, latest = cached_figure(
        f"stamp:{filename}:{request.GET.urlencode()}",
        lambda: initiatives_change_stamp(initiatives=selection.qs),
    )
    etag = http.validators(request, filename, count, latest)
    if response := http.not_modified(request, etag=etag, last_modified=latest):
        return response
    sql, params = query(selection.qs)
    return http.download(
        request,
        stream(sql, params),
        content_type=content_type,
        filename=filename,
        etag=etag,
        last_modified=latest,
    )


@require_safe
def initiatives_geojson(request: HttpRequest) -> HttpResponse:
    return _initiatives_export(
        request,
        filename="initiatives.geojson",
        query=encoding.initiative_features_query,
        stream=encoding.stream_feature_collection,
        content_type="application/geo+json",
    )


@require_safe
def initiatives_csv(request: HttpRequest) -> HttpResponse:
    return _initiatives_export(
        request,
        filename="initiatives.csv",
        query=encoding.initiative_csv_query,
        stream=encoding.stream_csv,
        content_type="text/csv; charset=utf-8",
    )


@require_safe
def territories_geojson(request: HttpRequest) -> HttpResponse:
    selection = TerritoryFilter(request.GET, queryset=Territory.objects.all())
    if not selection.is_valid():
        return _bad_request(selection.errors)
    territories, initiatives = cached_figure(
        f"stamp:territories.geojson:{request.GET.urlencode()}",
        lambda: (
            territories_change_stamp(territories=selection.qs),
            initiatives_change_stamp(initiatives=published_initiatives()),
        ),
    )
    latest = max((stamp for stamp in (territories[1], initiatives[1]) if stamp), default=None)
    etag = http.validators(request, "territories.geojson", *territories, *initiatives)
    if response := http.not_modified(request, etag=etag, last_modified=latest):
        return response
    sql, params = encoding.territory_features_query(selection.qs)
    return http.download(
        request,
        encoding.stream_feature_collection(sql, params),
        content_type="application/geo+json",
        filename="territories.geojson",
        etag=etag,
        last_modified=latest,
    )


@require_safe
def initiatives_schema(request: HttpRequest) -> JsonResponse:
    schema = table_schema(csv_url=request.build_absolute_uri(reverse("opendata:initiatives-csv")))
    response = JsonResponse(schema, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/schema+json"
    return response


@require_safe
def data_page(request: HttpRequest) -> HttpResponse:
    published = published_initiatives()

    def figures():
        count, latest = initiatives_change_stamp(initiatives=published)
        synthetic = published.filter(is_synthetic=True).count()
        return count, latest, synthetic, _initiative_sources()

    # Over the whole table: once per data version (common.counting).
    count, latest, synthetic, sources = cached_figure("open-data-page", figures)
    context = {
        "licence": settings.OPEN_DATA_LICENCE,
        "columns": table_schema(csv_url="")["fields"],
        "code_lists": code_lists(),
        "sources": data_sources(),
        "initiative_sources": sources,
        "share_alike": any(source["share_alike"] for source in sources),
        "count": count,
        "synthetic_count": synthetic,
        "last_change": latest,
    }
    return render(request, "opendata/index.html", context)


def _initiative_sources() -> list[dict]:
    return [
        {
            **source,
            "licence_label": Licence(source["licence"]).label,
            "licence_url": LICENCE_URLS.get(source["licence"], ""),
            "share_alike": source["licence"] in SHARE_ALIKE,
        }
        for source in published_sources()
    ]
