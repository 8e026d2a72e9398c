"""The radar's analytics over HTTP. Results are cached and recomputed in the background
after data change (radar.reports.cache): a response says `stale: true` while that happens."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from initiatives import choices
from radar.parameters import GAP_LEVELS, TREND_INFERENCES
from radar.reports.emerging import EmergingParams, emerging_features
from radar.reports.gaps import GapParams, gap_features
from radar.reports.insights import workshop_insights
from radar.reports.signals import territory_signals
from radar.reports.trends import TrendParams, trend_features
from territories.selectors import territory_by_code


class GapQuery(serializers.Serializer):
    level = serializers.ChoiceField(choices=GAP_LEVELS, default="commune")
    theme = serializers.ChoiceField(choices=choices.Theme.choices, required=False)
    actor_type = serializers.ChoiceField(choices=choices.ActorType.choices, required=False)
    collaboration_mode = serializers.ChoiceField(
        choices=choices.CollaborationMode.choices, required=False
    )
    min_population = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)
    radius_km = serializers.FloatField(min_value=0.1, max_value=200, required=False)


class RadarGapsApi(APIView):
    """Territories with their initiatives per 10,000 inhabitants (raw and empirical-Bayes
    smoothed), the distance to the nearest initiative, white zones, significant low/high
    clusters (Getis-Ord Gi*, permutations, FDR) and the under-served ranking with its reason
    in words. A GeoJSON FeatureCollection. `initiatives` counts every published initiative
    located in the territory (they add up to the published total); the rates count the
    `active_initiatives`."""

    @extend_schema(parameters=[GapQuery], responses={200: dict})
    def get(self, request):
        query = GapQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = GapParams(**query.validated_data)
        features, stale = gap_features(params)
        return Response(
            {
                "type": "FeatureCollection",
                "parameters": params.__dict__,
                "stale": stale,
                "features": features,
            }
        )


class SignalsQuery(serializers.Serializer):
    territory = serializers.CharField(max_length=20)


class RadarSignalsApi(APIView):
    """The workshop's warning signs for one territory: reciprocity, animation fragility,
    diversity of actors, mix of resources, digital-only initiatives, freshness. Unknown
    answers are counted apart, never as "no"."""

    @extend_schema(parameters=[SignalsQuery], responses={200: dict})
    def get(self, request):
        query = SignalsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data["territory"]
        territory = territory_by_code(code=code)
        if territory is None:
            raise NotFound(_("Unknown territory %(code)s.") % {"code": code})
        return Response(territory_signals(territory=territory))


class RadarInsightsApi(APIView):
    """The workshop's open questions: does the economic model go with different solidarity
    indicators; do multi-actor initiatives differ? Contingency tables, chi-square or Fisher's
    exact test, effect sizes and caveats."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(workshop_insights())


class EmergingQuery(serializers.Serializer):
    max_radius_km = serializers.FloatField(min_value=0.5, max_value=100, default=10.0)
    max_months = serializers.IntegerField(min_value=1, max_value=60, default=6)
    min_cases = serializers.IntegerField(min_value=2, max_value=1000, default=3)
    end = serializers.DateField(required=False)


class RadarEmergingApi(APIView):
    """Emerging movements: clusters of initiatives started recently, more than expected
    given where and when initiatives start overall (Kulldorff's prospective space-time
    permutation scan by month of start, 999 seeded replications). Circles as GeoJSON, with
    their p-value and recurrence interval said in words, and their member initiatives."""

    @extend_schema(parameters=[EmergingQuery], responses={200: dict})
    def get(self, request):
        query = EmergingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = dict(query.validated_data)
        values["end"] = values["end"].isoformat() if values.get("end") else ""
        params = EmergingParams(**values)
        features, stale = emerging_features(params)
        return Response(
            {"type": "FeatureCollection", "seed": params.seed, "stale": stale, "features": features}
        )


class TrendsQuery(serializers.Serializer):
    level = serializers.ChoiceField(choices=GAP_LEVELS, default="commune")
    inference = serializers.ChoiceField(
        choices=TREND_INFERENCES,
        default="permutation",
        help_text="How the yearly Gi* p-values are obtained: 9,999 seeded permutations "
        "(default), or the normal distribution of z as ESRI does (optimistic for sparse "
        "yearly counts).",
    )
    end_year = serializers.IntegerField(
        min_value=1900, max_value=2100, required=False, help_text="Last year (default: now)."
    )


class RadarTrendsApi(APIView):
    """Emerging hot-spot trends of initiative starts per territory, after ESRI's Emerging Hot
    Spot Analysis: Getis-Ord Gi* of the number of initiatives started each year (ten yearly
    steps up to `end_year`, this year by default; seeded permutations, FDR), the
    Mann-Kendall trend of each territory's Gi* z-scores, and its pattern (new, consecutive,
    intensifying, persistent, diminishing, sporadic, oscillating, historical hot or cold
    spot, or no pattern). A GeoJSON FeatureCollection."""

    @extend_schema(
        parameters=[TrendsQuery],
        responses={200: dict},
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
        query = TrendsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = TrendParams(**query.validated_data).resolved()
        features, stale = trend_features(params)
        return Response(
            {
                "type": "FeatureCollection",
                "parameters": params.__dict__,
                "stale": stale,
                "features": features,
            }
        )
