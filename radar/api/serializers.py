"""The radar API's contract: its query parameters and the exact shape of its answers.

The views build their answers through these output serializers, so that what the OpenAPI
document says (/api/schema/) is what a client receives; tests/api/test_schema_contract.py
checks it on every operation. Nothing here loads the scientific stack."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from initiatives import choices
from radar.parameters import GAP_LEVELS, TREND_INFERENCES

# --- Query parameters ----------------------------------------------------------------------


class GapQuery(serializers.Serializer):
    level = serializers.ChoiceField(choices=GAP_LEVELS, default="commune")
    theme = serializers.ChoiceField(
        choices=choices.Theme.choices,
        required=False,
        help_text="Only the initiatives of this theme.",
    )
    actor_type = serializers.ChoiceField(
        choices=choices.ActorType.choices,
        required=False,
        help_text="Only the initiatives with this kind of actor.",
    )
    collaboration_mode = serializers.ChoiceField(
        choices=choices.CollaborationMode.choices,
        required=False,
        help_text="Only the initiatives with this mode of collaboration.",
    )
    min_population = serializers.IntegerField(
        min_value=0,
        max_value=10_000_000,
        required=False,
        help_text="A white zone has at least this many inhabitants (default 5,000).",
    )
    radius_km = serializers.FloatField(
        min_value=0.1,
        max_value=200,
        required=False,
        help_text="A white zone has no initiative within this distance (default 10 km).",
    )
    geometry = serializers.BooleanField(
        default=True,
        help_text="false: the figures only (`geometry` null); the maps draw the shapes once "
        "from the versioned territory tiles (/tiles/territories/…), so a filter moves "
        "kilobytes, not the shapes again.",
    )


class SignalsQuery(serializers.Serializer):
    territory = serializers.CharField(
        max_length=20,
        help_text="A territory code (INSEE or SIREN); when a code recurs across levels, the "
        "finest territory is meant. An unknown code answers 404.",
    )


class EmergingQuery(serializers.Serializer):
    max_radius_km = serializers.FloatField(min_value=0.5, max_value=100, default=10.0)
    max_months = serializers.IntegerField(min_value=1, max_value=60, default=6)
    min_cases = serializers.IntegerField(min_value=2, max_value=1000, default=3)
    end = serializers.DateField(required=False, help_text="Last day studied (default: today).")


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
    geometry = serializers.BooleanField(
        default=True, help_text="false: the figures only (`geometry` null), as for the gaps."
    )


# --- Shared pieces of the answers ----------------------------------------------------------

GEOMETRY_SCHEMA = {
    "type": "object",
    "description": "A GeoJSON geometry (Polygon or MultiPolygon), WGS84 longitude/latitude; "
    "null when the request says geometry=false.",
    "nullable": True,
    "properties": {
        "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
        "coordinates": {"type": "array", "items": {"type": "array"}},
    },
    "required": ["type", "coordinates"],
}


@extend_schema_field(GEOMETRY_SCHEMA)
class GeometryField(serializers.JSONField):
    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


def _nullable_float(help_text: str = "", **kwargs) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text, **kwargs)


class InitiativeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TerritoryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def feature_collection(name: str, properties, *, feature_id, parameters=None, seed=False):
    """A GeoJSON FeatureCollection serializer (and its Feature) around `properties`;
    `feature_id` and `parameters` make their fields (called here, so that the members come
    in GeoJSON's order)."""
    feature = type(
        f"{name}Feature",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=["Feature"]),
            "id": feature_id(),
            "geometry": GeometryField(),
            "properties": properties(),
        },
    )
    members = {"type": serializers.ChoiceField(choices=["FeatureCollection"])}
    if parameters is not None:
        members["parameters"] = parameters()
    if seed:
        members["seed"] = serializers.IntegerField(
            help_text="Seed of the Monte Carlo (RADAR_RANDOM_SEED)."
        )
    return type(
        f"{name}Collection",
        (serializers.Serializer,),
        {
            **members,
            "stale": serializers.BooleanField(
                help_text="Computed on older data: a fresh result is being computed."
            ),
            "features": feature(many=True),
        },
    )


# --- Gaps -------------------------------------------------------------------------------------


class GapParametersSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=GAP_LEVELS)
    theme = serializers.CharField(allow_blank=True, help_text="Empty: every theme.")
    actor_type = serializers.CharField(allow_blank=True, help_text="Empty: every kind.")
    collaboration_mode = serializers.CharField(allow_blank=True, help_text="Empty: every mode.")
    min_population = serializers.IntegerField()
    radius_km = serializers.FloatField()
    seed = serializers.IntegerField(help_text="Seed of the Monte Carlo (RADAR_RANDOM_SEED).")


class GapPropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    initiatives = serializers.IntegerField(
        help_text="Published initiatives located in the territory, whatever their activity "
        "(they add up to the published total)."
    )
    active_initiatives = serializers.IntegerField(help_text="The rates' basis.")
    rate_per_10k = _nullable_float("Active initiatives per 10,000 inhabitants.")
    smoothed_rate_per_10k = _nullable_float("The same, empirical-Bayes smoothed (Marshall).")
    overall_rate_per_10k = _nullable_float("The rate of the whole area.")
    nearest_distance_m = _nullable_float("Distance to the nearest active initiative (m).")
    nearest_initiative = InitiativeRefSerializer(allow_null=True)
    white_zone = serializers.BooleanField()
    cluster = serializers.ChoiceField(
        choices=["high", "low", "not_significant"],
        help_text="Getis-Ord Gi* cluster of the smoothed rate, after the FDR correction.",
    )
    cluster_q = _nullable_float("Benjamini-Hochberg q-value of the cluster.")
    underserved_rank = serializers.IntegerField(
        allow_null=True, help_text="1 = the most under-served; null when not under-served."
    )
    reason = serializers.CharField(
        allow_blank=True, help_text="Why it is under-served, in the request's language."
    )


GapCollectionSerializer = extend_schema_serializer(component_name="GapCollection")(
    feature_collection(
        "Gap",
        GapPropertiesSerializer,
        feature_id=lambda: serializers.CharField(help_text="The territory's code."),
        parameters=GapParametersSerializer,
    )
)


# --- Emerging movements ----------------------------------------------------------------------


class EmergingPropertiesSerializer(serializers.Serializer):
    location_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Initiatives inside the circle."
    )
    center = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        help_text="Longitude, latitude (WGS84).",
    )
    radius_km = serializers.FloatField()
    start = serializers.DateField()
    end = serializers.DateField()
    observed = serializers.IntegerField(help_text="Initiatives started in the circle and window.")
    expected = serializers.FloatField()
    llr = serializers.FloatField(help_text="Log-likelihood ratio.")
    p_value = _nullable_float("Monte Carlo p-value (null without replications).")
    recurrence_interval_days = _nullable_float()
    grid_km = _nullable_float(
        "Side of the grid cells the initiatives were aggregated to before the scan (dense "
        "data); null: point by point."
    )
    place = serializers.CharField(allow_blank=True, help_text="The commune of the centre.")
    initiatives = InitiativeRefSerializer(
        many=True, help_text="The cases: initiatives of the circle started in the window."
    )
    significant = serializers.BooleanField(help_text="p < 0.05.")
    summary = serializers.CharField(help_text="What it means, in the request's language.")


EmergingCollectionSerializer = extend_schema_serializer(component_name="EmergingCollection")(
    feature_collection(
        "Emerging",
        EmergingPropertiesSerializer,
        feature_id=lambda: serializers.IntegerField(help_text="Rank, most likely cluster first."),
        seed=True,
    )
)


# --- Hot-spot trends -------------------------------------------------------------------------

# The codes of radar.reports.trends.PATTERN_LABELS (a test keeps them equal).
TREND_PATTERNS = (
    "no_pattern",
    *(
        f"{kind}_{spot}_spot"
        for spot in ("hot", "cold")
        for kind in (
            "new",
            "consecutive",
            "intensifying",
            "persistent",
            "diminishing",
            "sporadic",
            "oscillating",
            "historical",
        )
    ),
)


class TrendParametersSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=GAP_LEVELS)
    inference = serializers.ChoiceField(choices=TREND_INFERENCES)
    years = serializers.IntegerField()
    end_year = serializers.IntegerField()
    seed = serializers.IntegerField(help_text="Seed of the Monte Carlo (RADAR_RANDOM_SEED).")


class TrendYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    started = serializers.IntegerField(help_text="Initiatives started that year.")
    gi_z = _nullable_float("Getis-Ord Gi* z-score.")
    q = _nullable_float("Benjamini-Hochberg q-value.")
    spot = serializers.ChoiceField(choices=["hot", "cold"], allow_null=True)


class TrendPropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    pattern = serializers.ChoiceField(choices=TREND_PATTERNS)
    pattern_label = serializers.CharField(help_text="The pattern, in the request's language.")
    mann_kendall_tau = _nullable_float()
    mann_kendall_z = _nullable_float()
    trend_p = _nullable_float()
    significant_years = serializers.ListField(child=serializers.IntegerField())
    hot_years = serializers.ListField(child=serializers.IntegerField())
    cold_years = serializers.ListField(child=serializers.IntegerField())
    years = TrendYearSerializer(many=True)


TrendCollectionSerializer = extend_schema_serializer(component_name="TrendCollection")(
    feature_collection(
        "Trend",
        TrendPropertiesSerializer,
        feature_id=lambda: serializers.CharField(help_text="The territory's code."),
        parameters=TrendParametersSerializer,
    )
)


# --- Vigilance signals -----------------------------------------------------------------------

SIGNAL_FLAGS = {
    "reciprocity": "participants can contribute, not only receive",
    "volunteer_only": "run by volunteers only",
    "needs_funding_or_volunteers": "asks for funding or volunteers",
    "multi_resource": "combines several kinds of resources",
    "digital_only": "digital only",
    "stale": "not confirmed for a year",
}


def _signal_fields() -> dict:
    fields = {
        "territory": TerritoryRefSerializer(),
        "n_initiatives": serializers.IntegerField(help_text="Active published initiatives."),
    }
    for flag, meaning in SIGNAL_FLAGS.items():
        fields[f"{flag}_yes"] = serializers.IntegerField(help_text=f"Initiatives: {meaning}.")
        fields[f"{flag}_known"] = serializers.IntegerField(help_text="Initiatives that answered.")
        fields[f"{flag}_unknown"] = serializers.IntegerField(help_text="Not answered.")
        fields[f"{flag}_share"] = _nullable_float("yes / known; null when nobody answered.")
    for kind in choices.Resource.values:
        fields[f"resource_{kind}"] = serializers.IntegerField(
            help_text=f"Initiatives using the resource {kind}."
        )
    for k in range(1, len(choices.Resource.values) + 1):
        fields[f"resource_kinds_{k}"] = serializers.IntegerField(
            help_text=f"Initiatives combining exactly {k} kinds of resources."
        )
    for kind in choices.ActorType.values:
        fields[f"actor_{kind}"] = serializers.IntegerField(
            help_text=f"Initiatives with an actor of kind {kind}."
        )
    fields |= {
        "actor_known": serializers.IntegerField(help_text="Initiatives that said their actors."),
        "actor_evenness": _nullable_float("Shannon evenness of the kinds of actors, 0 to 1."),
        "dominant_actor": serializers.ChoiceField(
            choices=choices.ActorType.choices, allow_null=True
        ),
        "dominant_share": _nullable_float(),
        "single_actor_dominates": serializers.BooleanField(allow_null=True),
        "stale": serializers.BooleanField(
            help_text="Computed on older data: a fresh result is being computed."
        ),
    }
    return fields


SignalsSerializer = extend_schema_serializer(component_name="Signals")(
    type("SignalsSerializer", (serializers.Serializer,), _signal_fields())
)


# --- Insights --------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "description": "Counts by row value, then by column value.",
        "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
    }
)
class ContingencyTableField(serializers.JSONField):
    pass


class AssociationSerializer(serializers.Serializer):
    rows = serializers.CharField(help_text="The row variable.")
    columns = serializers.CharField(help_text="The column variable.")
    table = ContingencyTableField()
    test = serializers.ChoiceField(choices=["chi2", "fisher", "fisher_monte_carlo", "none"])
    statistic = _nullable_float()
    p_value = _nullable_float()
    q_value = _nullable_float("Benjamini-Hochberg over the question's tests.")
    effect_measure = serializers.ChoiceField(choices=["phi", "cramers_v_corrected"])
    effect_size = _nullable_float()
    odds_ratio = _nullable_float("2x2 tables only.")
    odds_ratio_ci = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        min_length=2,
        max_length=2,
        allow_null=True,
        help_text="95 % confidence interval of the odds ratio.",
    )
    n = serializers.IntegerField()
    n_synthetic = serializers.IntegerField(
        help_text="Of the n answers, how many come from fictional demonstration examples."
    )
    n_excluded = serializers.IntegerField(help_text="Initiatives that did not answer.")
    caveats = serializers.ListField(child=serializers.CharField())
    caveat_texts = serializers.ListField(
        child=serializers.CharField(), help_text="The caveats, in the request's language."
    )


class EconomicModelQuestionSerializer(serializers.Serializer):
    reciprocity = AssociationSerializer()
    multi_actor = AssociationSerializer()
    accessible = AssociationSerializer()


class MultiActorQuestionSerializer(serializers.Serializer):
    reciprocity = AssociationSerializer()
    accessible = AssociationSerializer()
    digital_only = AssociationSerializer()


@extend_schema_serializer(component_name="Insights")
class InsightsSerializer(serializers.Serializer):
    economic_model = EconomicModelQuestionSerializer(
        help_text="Does the economic model go with different solidarity indicators?"
    )
    multi_actor = MultiActorQuestionSerializer(help_text="Do multi-actor initiatives differ?")
    initiatives = serializers.IntegerField(help_text="Active published initiatives studied.")
    synthetic = serializers.IntegerField(help_text="Of which fictional demonstration ones.")
    seed = serializers.IntegerField(help_text="Seed of the Monte Carlo (RADAR_RANDOM_SEED).")
    stale = serializers.BooleanField(
        help_text="Computed on older data: a fresh result is being computed."
    )
