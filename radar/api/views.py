"""The radar's analytics over HTTP. Results are cached and recomputed in the background
after data change (radar.results): a response says `stale: true` while that happens. The
answers go through the output serializers of radar.api.serializers, which the OpenAPI
document describes."""

import json

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.query import refuse_ambiguous_parameters
from common.api.responses import RETRY_AFTER, accepted, bad_request, not_found
from radar.api.serializers import (
    EmergingCollectionSerializer,
    EmergingQuery,
    GapCollectionSerializer,
    GapQuery,
    InsightsSerializer,
    SignalsQuery,
    SignalsSerializer,
    TrendCollectionSerializer,
    TrendsQuery,
)
from territories.models import Territory
from territories.selectors import territories_with_code


def _validated(query_class, request) -> dict:
    """The query parameters, checked: unknown values, empty or repeated parameters are 400."""
    query = query_class(data=request.query_params)
    refuse_ambiguous_parameters(request.query_params, names=query.fields)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _responses(ok, *, missing: str = "") -> dict:
    responses = {200: ok, 202: accepted(), 400: bad_request()}
    if missing:
        responses[404] = not_found(missing)
    return responses


class RadarGapsApi(APIView):
    """Territories with their initiatives per 10,000 inhabitants (raw and empirical-Bayes
    smoothed), the distance to the nearest initiative, white zones, significant low/high
    clusters (Getis-Ord Gi*, permutations, FDR) and the under-served ranking with its reason
    in words. A GeoJSON FeatureCollection. `initiatives` counts every published initiative
    located in the territory (they add up to the published total); the rates count the
    `active_initiatives`."""

    @extend_schema(
        parameters=[GapQuery, RETRY_AFTER], responses=_responses(GapCollectionSerializer)
    )
    def get(self, request):
        from radar import analytics  # the scientific stack loads on first use

        params = analytics.GapParams(**_validated(GapQuery, request))
        rows, stale = analytics.gaps_rows(params)
        geometries = _geometries(level=params.level)
        body = {
            "type": "FeatureCollection",
            "parameters": params.__dict__,
            "stale": stale,
            "features": [_feature(row, geometries[row["code"]]) for row in rows],
        }
        return Response(GapCollectionSerializer(body).data)


def _geometries(*, level: str) -> dict[str, str]:
    return dict(
        Territory.objects.filter(level=level)
        .annotate(geojson=AsGeoJSON("geometry", precision=5))
        .values_list("code", "geojson")
    )


def _feature(properties: dict, geometry: str) -> dict:
    return {
        "type": "Feature",
        "id": properties["code"],
        "geometry": json.loads(geometry),
        "properties": properties,
    }


class RadarSignalsApi(APIView):
    """The workshop's warning signs for one territory: reciprocity, animation fragility,
    diversity of actors, mix of resources, digital-only initiatives, freshness. Unknown
    answers are counted apart, never as "no"."""

    @extend_schema(
        parameters=[SignalsQuery, RETRY_AFTER],
        responses=_responses(SignalsSerializer, missing="No territory has this code."),
    )
    def get(self, request):
        from radar import analytics  # the scientific stack loads on first use

        code = _validated(SignalsQuery, request)["territory"]
        territory = territories_with_code(code=code).last()  # the finest of that code
        if territory is None:
            raise NotFound(_("Unknown territory %(code)s.") % {"code": code})
        return Response(SignalsSerializer(analytics.territory_signals(territory=territory)).data)


class RadarInsightsApi(APIView):
    """The workshop's open questions: does the economic model go with different solidarity
    indicators; do multi-actor initiatives differ? Contingency tables, chi-square or Fisher's
    exact test, effect sizes and caveats."""

    @extend_schema(parameters=[RETRY_AFTER], responses={200: InsightsSerializer, 202: accepted()})
    def get(self, request):
        from radar import analytics  # the scientific stack loads on first use

        return Response(InsightsSerializer(analytics.workshop_insights()).data)


class RadarEmergingApi(APIView):
    """Emerging movements: clusters of initiatives started recently, more than expected
    given where and when initiatives start overall (Kulldorff's prospective space-time
    permutation scan by month of start, 999 seeded replications). Circles as GeoJSON, with
    their p-value and recurrence interval said in words, and their member initiatives."""

    @extend_schema(
        parameters=[EmergingQuery, RETRY_AFTER], responses=_responses(EmergingCollectionSerializer)
    )
    def get(self, request):
        from radar import analytics  # the scientific stack loads on first use

        values = dict(_validated(EmergingQuery, request))
        values["end"] = values["end"].isoformat() if values.get("end") else ""
        rows, stale = analytics.emerging_rows(analytics.EmergingParams(**values))
        features = [
            {
                "type": "Feature",
                "id": rank,
                "geometry": json.loads(analytics.circle(row["center"], row["radius_km"]).json),
                "properties": row,
            }
            for rank, row in enumerate(rows, start=1)
        ]
        body = {"type": "FeatureCollection", "stale": stale, "features": features}
        return Response(EmergingCollectionSerializer(body).data)


class RadarTrendsApi(APIView):
    """Emerging hot-spot trends of initiative starts per territory, after ESRI's Emerging Hot
    Spot Analysis: Getis-Ord Gi* of the number of initiatives started each year (ten yearly
    steps up to `end_year`, this year by default; seeded permutations, FDR), the
    Mann-Kendall trend of each territory's Gi* z-scores, and its pattern (new, consecutive,
    intensifying, persistent, diminishing, sporadic, oscillating, historical hot or cold
    spot, or no pattern). A GeoJSON FeatureCollection."""

    @extend_schema(
        parameters=[TrendsQuery, RETRY_AFTER],
        responses=_responses(TrendCollectionSerializer),
        summary="Emerging hot-spot trends per territory",
        description=(
            "ESRI's Emerging Hot Spot Analysis of initiative starts: Getis-Ord Gi* of the "
            "initiatives started each year per territory (Queen contiguity, FDR), then the "
            "Mann-Kendall trend of each territory's Gi* z-scores and ESRI's pattern. "
            "Per territory: `pattern` (code), `pattern_label` (in the request's language), "
            "`mann_kendall_tau`, `mann_kendall_z`, `trend_p`, `significant_years` (years of "
            "a significant hot or cold spot), `hot_years`, `cold_years` and `years` (per "
            "year: initiatives `started`, Gi* `gi_z`, FDR `q`, `spot` hot/cold/null)."
        ),
    )
    def get(self, request):
        from radar import analytics  # the scientific stack loads on first use

        params = analytics.TrendParams(**_validated(TrendsQuery, request)).resolved()
        rows, stale = analytics.hotspot_trends_rows(params)
        geometries = _geometries(level=params.level)
        body = {
            "type": "FeatureCollection",
            "parameters": params.__dict__,
            "stale": stale,
            "features": [_feature(row, geometries[row["code"]]) for row in rows],
        }
        return Response(TrendCollectionSerializer(body).data)
