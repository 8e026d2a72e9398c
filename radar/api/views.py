"""The radar's analytics over HTTP. Results are cached and recomputed in the background
after data change (radar.reports.cache): a response says `stale: true` while that happens.
The answers go through the output serializers of radar.api.serializers, which the OpenAPI
document describes."""

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
from radar.reports.emerging import EmergingParams, emerging_features
from radar.reports.gaps import GapParams, gap_features
from radar.reports.insights import workshop_insights
from radar.reports.signals import territory_signals
from radar.reports.trends import TrendParams, trend_features
from territories.selectors import territory_by_code


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
        values = _validated(GapQuery, request)
        with_geometry = values.pop("geometry")
        params = GapParams(**values)
        features, stale = gap_features(params, with_geometry=with_geometry)
        body = {
            "type": "FeatureCollection",
            "parameters": params.__dict__,
            "stale": stale,
            "features": features,
        }
        return Response(GapCollectionSerializer(body).data)


class RadarSignalsApi(APIView):
    """The workshop's warning signs for one territory: reciprocity, animation fragility,
    diversity of actors, mix of resources, digital-only initiatives, freshness. Unknown
    answers are counted apart, never as "no"."""

    @extend_schema(
        parameters=[SignalsQuery, RETRY_AFTER],
        responses=_responses(SignalsSerializer, missing="No territory has this code."),
    )
    def get(self, request):
        code = _validated(SignalsQuery, request)["territory"]
        territory = territory_by_code(code=code)
        if territory is None:
            raise NotFound(_("Unknown territory %(code)s.") % {"code": code})
        return Response(SignalsSerializer(territory_signals(territory=territory)).data)


class RadarInsightsApi(APIView):
    """The workshop's open questions: does the economic model go with different solidarity
    indicators; do multi-actor initiatives differ? Contingency tables, chi-square or Fisher's
    exact test, effect sizes and caveats."""

    @extend_schema(parameters=[RETRY_AFTER], responses={200: InsightsSerializer, 202: accepted()})
    def get(self, request):
        return Response(InsightsSerializer(workshop_insights()).data)


class RadarEmergingApi(APIView):
    """Emerging movements: clusters of initiatives started recently, more than expected
    given where and when initiatives start overall (Kulldorff's prospective space-time
    permutation scan by month of start, 999 seeded replications). Circles as GeoJSON, with
    their p-value and recurrence interval said in words, and their member initiatives."""

    @extend_schema(
        parameters=[EmergingQuery, RETRY_AFTER],
        responses=_responses(EmergingCollectionSerializer),
    )
    def get(self, request):
        values = dict(_validated(EmergingQuery, request))
        values["end"] = values["end"].isoformat() if values.get("end") else ""
        params = EmergingParams(**values)
        features, stale = emerging_features(params)
        body = {
            "type": "FeatureCollection",
            "seed": params.seed,
            "stale": stale,
            "features": features,
        }
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
        values = _validated(TrendsQuery, request)
        with_geometry = values.pop("geometry")
        params = TrendParams(**values).resolved()
        features, stale = trend_features(params, with_geometry=with_geometry)
        body = {
            "type": "FeatureCollection",
            "parameters": params.__dict__,
            "stale": stale,
            "features": features,
        }
        return Response(TrendCollectionSerializer(body).data)
