"""The radar's analytics as the pages and the API use them: read the ORM into tables, run
radar.analysis, cache the structured result (radar.reports.cache), then put words on it in the
request's language. Nothing here is computed in a template or a view."""

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import Point, Polygon
from django.db.models import FloatField, Func, OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.models import Initiative
from initiatives.selectors import InitiativeFilters, initiatives_matching
from radar.analysis import clusters, gaps, insights, signals
from radar.parameters import GAP_LEVELS
from radar.reports.cache import cached_result
from territories.models import Territory
from territories.selectors import territory_containing

WGS84 = "EPSG:4326"
# With P permutations the smallest two-sided p is 2/(P+1); Benjamini-Hochberg over 538
# communes needs far smaller p-values than 999 permutations can give (0.002).
CLUSTER_PERMUTATIONS = 9999


def random_seed() -> int:
    """The seed of every Monte Carlo of the radar (setting RADAR_RANDOM_SEED); results report it
    and it is part of their cache keys."""
    return settings.RADAR_RANDOM_SEED


@dataclass(frozen=True)
class GapParams:
    level: str = "commune"
    theme: str = ""
    actor_type: str = ""
    collaboration_mode: str = ""
    min_population: int = gaps.MIN_POPULATION
    radius_km: float = gaps.MAX_DISTANCE_M / 1000
    seed: int = field(default_factory=random_seed)

    def filters(self) -> InitiativeFilters:
        return InitiativeFilters(
            themes=(self.theme,) if self.theme else (),
            actor_types=(self.actor_type,) if self.actor_type else (),
            collaboration_modes=(self.collaboration_mode,) if self.collaboration_mode else (),
        )


def territories_frame(*, level: str) -> gpd.GeoDataFrame:
    rows = Territory.objects.filter(level=level).order_by("code")
    rows = rows.annotate(wkb=AsWKB("geometry")).values_list("code", "name", "population", "wkb")
    codes, names, populations, geometries = zip(*rows, strict=True) if rows else ([],) * 4
    return gpd.GeoDataFrame(
        {"code": codes, "name": names, "population": pd.array(populations, dtype="Float64")},
        geometry=shapely.from_wkb([bytes(g) for g in geometries]),
        crs=WGS84,
    )


def initiatives_frame(*, level: str, filters: InitiativeFilters, active_only=True):
    """Published initiatives with the code of their territory at `level` (found by PostGIS)."""
    initiatives = initiatives_matching(filters=filters)
    if active_only:
        initiatives = initiatives.active()
    territory = Territory.objects.filter(level=level, geometry__intersects=OuterRef("location"))
    columns = [
        "id", "name", "themes", "actor_types", "collaboration_mode", "economic_model",
        "reciprocity", "animation", "needs", "resources", "step_free_access",
        "usable_without_internet", "last_confirmed_at", "created_at", "is_synthetic",
    ]  # fmt: skip
    rows = list(
        initiatives.annotate(
            territory_code=Subquery(territory.values("code")[:1]),
            lon=_coordinate("x"),
            lat=_coordinate("y"),
        ).values(*columns, "territory_code", "lon", "lat")
    )
    frame = pd.DataFrame(rows, columns=[*columns, "territory_code", "lon", "lat"])
    frame = frame.rename(columns={"territory_code": "territory"})
    frame["last_confirmed"] = frame["last_confirmed_at"].fillna(frame["created_at"])
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84
    )


def _coordinate(axis: str) -> Func:
    function = "ST_X" if axis == "x" else "ST_Y"
    return Func("location", function=function, output_field=FloatField())


def _finite(value):
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def _compute_gaps(params: GapParams) -> list[dict]:
    territories = territories_frame(level=params.level)
    initiatives = initiatives_frame(level=params.level, filters=params.filters())
    radius_m = params.radius_km * 1000
    result = gaps.compute_gaps(
        territories,
        initiatives,
        crs=settings.RADAR_METRIC_SRID,
        min_population=params.min_population,
        radius_m=radius_m,
    ).territories
    hot = clusters.rate_clusters(
        territories,
        result.loc[territories["code"], "eb_rate"].to_numpy(dtype=float),
        permutations=CLUSTER_PERMUTATIONS,
        seed=params.seed,
    )
    ranked = gaps.rank_underserved(result, min_population=params.min_population, radius_m=radius_m)
    ranks = {code: rank for rank, code in enumerate(ranked.index, start=1)}
    # `initiatives` counts every published one, dormant and ended too, so that the counts add
    # up to the published total; the rates count the active ones (`active_initiatives`).
    published = initiatives_frame(level=params.level, filters=params.filters(), active_only=False)
    published_counts = published["territory"].value_counts()
    return [
        _gap_row(code, result.loc[code], hot.loc[code], ranks.get(code))
        | {"initiatives": int(published_counts.get(code, 0))}
        for code in territories["code"]
    ]


def _gap_row(code, row, hot, rank) -> dict:
    nearest_id = row["nearest_id"]
    return {
        "code": code,
        "name": row["name"],
        "population": None if pd.isna(row["population"]) else int(row["population"]),
        "active_initiatives": int(row["count"]),
        "rate_per_10k": _finite(row["rate"]),
        "smoothed_rate_per_10k": _finite(row["eb_rate"]),
        "overall_rate_per_10k": _finite(row["overall_rate"]),
        "nearest_distance_m": _finite(row["nearest_distance_m"]),
        "nearest_initiative": (
            None if pd.isna(nearest_id) else {"id": int(nearest_id), "name": row["nearest_name"]}
        ),
        "white_zone": bool(row["white_zone"]),
        "cluster": {"high": "high", "low": "low"}.get(hot["label"], "not_significant"),
        "cluster_q": _finite(hot["q"]),
        "underserved_rank": rank,
    }


def gaps_rows(params: GapParams) -> tuple[list[dict], bool]:
    """The gap analysis of every territory of the level, with the reason in words for the
    under-served ones, and whether it is stale (being recomputed)."""
    rows, stale = cached_result("gaps", params.__dict__, lambda: _compute_gaps(params))
    radius_km = params.radius_km
    return [dict(row, reason=_reason(row, radius_km)) for row in rows], stale


def _reason(row: dict, radius_km: float) -> str:
    if row["underserved_rank"] is None or row["population"] is None:
        return ""
    nearest = row["nearest_initiative"]
    distance = row["nearest_distance_m"]
    gap = {
        "reason": "white_zone" if row["white_zone"] else "below_overall_rate",
        "population": row["population"],
        "radius_km": radius_km,
        "nearest_name": nearest["name"] if nearest else np.nan,
        "nearest_distance_km": distance / 1000 if distance is not None else np.nan,
        "eb_rate": row["smoothed_rate_per_10k"],
        "overall_rate": row["overall_rate_per_10k"],
    }
    return gaps.describe_gap(gap, translate=_, number=_number)


def _number(value: float, decimals: int) -> str:
    return number_format(value, decimal_pos=decimals, force_grouping=True)


# --- Vigilance signals -------------------------------------------------------------------


def territory_signals(*, territory: Territory) -> dict:
    def compute():
        frame = initiatives_frame(level=territory.level, filters=InitiativeFilters())
        mine = frame[frame["territory"] == territory.code]
        table = signals.territory_signals(
            pd.DataFrame(mine.drop(columns="geometry")),
            timezone.localdate(),
            territories=[territory.code],
        )
        return _plain(table.loc[territory.code].to_dict())

    key = {"code": territory.code, "level": territory.level}
    values, stale = cached_result("signals", key, compute)
    return {"territory": {"code": territory.code, "name": territory.name}, **values, "stale": stale}


def _plain(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, (np.bool_, bool)):
            out[key] = bool(value)
        elif isinstance(value, (int, np.integer)):
            out[key] = int(value)
        elif value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            out[key] = None
        elif isinstance(value, (float, np.floating)):
            out[key] = round(float(value), 4)
        else:
            out[key] = value
    return out


# --- Insights on the workshop's open questions ------------------------------------------------

CAVEATS = {
    "observational": gettext_noop("Observational data: an association is not a cause."),
    "self_declared": gettext_noop("The answers are declared by the initiatives themselves."),
    "small_numbers": gettext_noop("Small numbers: the test has little power."),
    "synthetic_data_included": gettext_noop("Fictional demonstration initiatives are included."),
    "many_unknowns": gettext_noop("Many initiatives did not answer; they are left out."),
    "zero_cell_corrected": gettext_noop(
        "A cell is empty: 0.5 was added to every cell for the odds ratio."
    ),
    "not_testable": gettext_noop("Not enough answers to test."),
}


def _association(result: insights.Association) -> dict:
    table = result.table
    return {
        "rows": result.row,
        "columns": result.column,
        "table": {
            str(index): {str(column): int(table.loc[index, column]) for column in table.columns}
            for index in table.index
        },
        "test": result.test,
        "statistic": _finite(result.statistic),
        "p_value": _finite(result.p_value),
        "q_value": _finite(result.q_value),
        "effect_measure": result.effect_measure,
        "effect_size": _finite(result.effect_size),
        "odds_ratio": _finite(result.odds_ratio),
        "odds_ratio_ci": (
            [_finite(v) for v in result.odds_ratio_ci] if result.odds_ratio_ci else None
        ),
        "n": result.n,
        "n_excluded": result.n_excluded,
        "n_synthetic": result.n_synthetic,
        "caveats": list(result.caveats),
    }


def _compute_insights(seed: int) -> dict:
    frame = pd.DataFrame(
        initiatives_frame(level="commune", filters=InitiativeFilters()).drop(columns="geometry")
    )
    economic = insights.economic_model_question(frame, seed=seed)
    multi_actor = insights.multi_actor_question(frame, seed=seed)
    return {
        "economic_model": {k: _association(v) for k, v in economic.items()},
        "multi_actor": {k: _association(v) for k, v in multi_actor.items()},
        "initiatives": len(frame),
        "synthetic": int(frame["is_synthetic"].sum()) if len(frame) else 0,
        "seed": seed,
    }


def workshop_insights() -> dict:
    seed = random_seed()
    values, stale = cached_result("insights", {"seed": seed}, lambda: _compute_insights(seed))
    for question in ("economic_model", "multi_actor"):
        for result in values[question].values():
            result["caveat_texts"] = [_(CAVEATS[c]) for c in result["caveats"] if c in CAVEATS]
    return {**values, "stale": stale}


# --- Emerging movements ------------------------------------------------------------------


@dataclass(frozen=True)
class EmergingParams:
    max_radius_km: float = 10.0
    max_months: int = 6
    min_cases: int = 3
    replications: int = 999
    seed: int = field(default_factory=random_seed)
    end: str = ""  # ISO date; empty = today


def _compute_emerging(params: EmergingParams) -> list[dict]:
    from radar.analysis.emerging import ScanParams, space_time_permutation_scan
    from radar.selectors import emerging_cases

    end = date.fromisoformat(params.end)
    cases = emerging_cases(end=end)
    if not len(cases):
        return []
    clusters = space_time_permutation_scan(
        **cases.as_kwargs(),
        params=ScanParams(
            end=end,
            max_radius_km=params.max_radius_km,
            time_unit="month",
            max_length=params.max_months,
            min_cases=params.min_cases,
            replications=params.replications,
            seed=params.seed,
        ),
    )
    members = {
        pk: (name, started)
        for pk, name, started in Initiative.objects.filter(
            pk__in=[pk for c in clusters for pk in c.location_ids]
        ).values_list("pk", "name", "start_date")
    }
    return [
        cluster.as_dict()
        | {
            "place": _place(cluster.center),
            # The cases: initiatives of the circle that started within the window.
            "initiatives": [
                {"id": pk, "name": members[pk][0]}
                for pk in cluster.location_ids
                if pk in members and cluster.start <= members[pk][1] <= cluster.end
            ],
        }
        for cluster in clusters
    ]


def _place(center: tuple[float, float]) -> str:
    territory = territory_containing(point=Point(*center, srid=4326), level="commune")
    return territory.name if territory else ""


def emerging_rows(params: EmergingParams) -> tuple[list[dict], bool]:
    """Clusters of recent starts (Kulldorff's prospective space-time permutation scan by
    month of start), most likely first, each with a sentence saying what it means."""
    if not params.end:
        params = EmergingParams(**{**params.__dict__, "end": timezone.localdate().isoformat()})
    rows, stale = cached_result("emerging", params.__dict__, lambda: _compute_emerging(params))
    return [
        row | {"significant": _significant(row), "summary": _emerging_summary(row)} for row in rows
    ], stale


def _significant(row: dict) -> bool:
    return row["p_value"] is not None and row["p_value"] < 0.05


def _emerging_summary(row: dict) -> str:
    start, end = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
    text = _(
        "%(observed)d initiatives started from %(start)s to %(end)s within %(radius)s km "
        "around %(place)s, where %(expected)s were expected."
    ) % {
        "observed": row["observed"],
        "start": formats.date_format(start, "F Y"),
        "end": formats.date_format(end, "F Y"),
        "radius": _number(row["radius_km"], 1),
        "place": row["place"],
        "expected": _number(row["expected"], 1),
    }
    if row["p_value"] is None:
        return text
    chance = _(
        " Such a grouping would arise by chance with probability %(p)s (p-value): about once "
        "every %(interval)s of monthly analyses."
    ) % {"p": _number(row["p_value"], 3), "interval": _interval(row["recurrence_interval_days"])}
    verdict = (
        _(" It is statistically significant: a movement is emerging.")
        if _significant(row)
        else _(" It is not statistically significant.")
    )
    return text + chance + verdict


def _interval(days: float | None) -> str:
    if days is None:
        return "—"
    if days >= 730:
        return _("%(years)s years") % {"years": _number(days / 365.25, 0)}
    return _("%(months)s months") % {"months": _number(days / 30.44, 0)}


def circle(center: tuple[float, float], radius_km: float) -> Polygon:
    """A circle drawn in the metric projection, as a WGS84 polygon."""
    point = Point(*center, srid=4326).transform(settings.RADAR_METRIC_SRID, clone=True)
    return point.buffer(max(radius_km, 0.2) * 1000, quadsegs=16).transform(4326, clone=True)


# --- The profile's sentences ---------------------------------------------------------------


def _percent(value: float) -> str:
    return _number(100 * value, 0)


def signal_sentences(*, territory: Territory) -> list[str]:
    """The workshop's warning signs for a territory, in words; unknowns are said as such."""
    s = territory_signals(territory=territory)
    n = s["n_initiatives"]
    if not n:
        return [_("No active initiative is known in this territory.")]
    sentences = []
    if s["reciprocity_share"] is not None:
        sentences.append(
            _(
                "Reciprocity: in %(share)s %% of the initiatives that answered (%(known)d of "
                "%(n)d), participants can contribute, not only receive."
            )
            % {"share": _percent(s["reciprocity_share"]), "known": s["reciprocity_known"], "n": n}
        )
    if s["volunteer_only_share"] is not None:
        sentences.append(
            _("%(share)s %% are run by volunteers only: watch for volunteer burnout.")
            % {"share": _percent(s["volunteer_only_share"])}
        )
    if s["needs_funding_or_volunteers_share"] is not None:
        sentences.append(
            _("%(share)s %% ask for funding or volunteers to keep going.")
            % {"share": _percent(s["needs_funding_or_volunteers_share"])}
        )
    sentences += _actor_sentences(s)
    if s["multi_resource_share"] is not None:
        sentences.append(
            _("%(share)s %% combine several kinds of resources.")
            % {"share": _percent(s["multi_resource_share"])}
        )
    if s["digital_only_share"] is not None:
        sentences.append(
            _("%(share)s %% are digital only: check that everyone can take part.")
            % {"share": _percent(s["digital_only_share"])}
        )
    sentences.append(
        _("%(share)s %% have not been confirmed for a year.")
        % {"share": _percent(s["stale_share"] or 0)}
    )
    return sentences


def _actor_sentences(s: dict) -> list[str]:
    from initiatives.choices import ActorType

    if not s["actor_known"]:
        return [_("The kinds of actors involved are not known.")]
    sentences = [
        _(
            "Diversity of actors: %(evenness)s on a scale from 0 (a single kind) to 1 (every "
            "kind equally present)."
        )
        % {"evenness": _number(s["actor_evenness"] or 0, 2)}
    ]
    if s["single_actor_dominates"]:
        sentences.append(
            _("One kind of actor dominates: %(kind)s (%(share)s %%).")
            % {
                "kind": ActorType(s["dominant_actor"]).label,
                "share": _percent(s["dominant_share"]),
            }
        )
    return sentences


def emerging_near(*, territory: Territory) -> list[dict]:
    """Significant emerging movements whose circle meets the territory."""
    rows, _stale = emerging_rows(EmergingParams())
    return [
        row
        for row in rows
        if row["significant"]
        and circle(row["center"], row["radius_km"]).intersects(territory.geometry)
    ]


# --- Emerging hot-spot trends ------------------------------------------------------------

TREND_YEARS = 10
TREND_PERMUTATIONS = 9999  # 999 cannot pass the FDR correction over 538 communes: see trends


@dataclass(frozen=True)
class TrendParams:
    level: str = "commune"
    inference: str = "permutation"
    years: int = TREND_YEARS
    end_year: int = 0  # 0 = this year
    seed: int = field(default_factory=random_seed)

    def resolved(self) -> "TrendParams":
        """The same with the end year set (this year if unset)."""
        if self.end_year:
            return self
        return TrendParams(**{**self.__dict__, "end_year": timezone.localdate().year})


def _compute_trends(params: TrendParams) -> list[dict]:
    from radar.analysis import trends

    territories = territories_frame(level=params.level)
    # Every published initiative that started, ended ones too: the question is where starts
    # cluster, year by year.
    initiatives = initiatives_frame(
        level=params.level, filters=InitiativeFilters(), active_only=False
    )
    started = dict(
        Initiative.objects.filter(pk__in=initiatives["id"].tolist()).values_list("pk", "start_date")
    )
    initiatives["start_date"] = initiatives["id"].map(started)
    years = list(range(params.end_year - params.years + 1, params.end_year + 1))
    summary, yearly = trends.hot_spot_trends(
        territories,
        initiatives,
        years,
        permutations=TREND_PERMUTATIONS if params.inference == "permutation" else 0,
        seed=params.seed,
    )
    names = dict(zip(territories["code"], territories["name"], strict=True))
    return [_trend_row(code, names[code], summary.loc[code], yearly.loc[code]) for code in names]


def _trend_row(code, name, summary, yearly) -> dict:
    spots = {1: "hot", -1: "cold", 0: None}
    return {
        "code": code,
        "name": name,
        "pattern": summary["pattern"],
        "mann_kendall_tau": _finite(summary["mann_kendall_tau"]),
        "mann_kendall_z": _finite(summary["mann_kendall_z"]),
        "trend_p": _finite(summary["trend_p"]),
        "significant_years": sorted(summary["hot_years"] + summary["cold_years"]),
        "hot_years": summary["hot_years"],
        "cold_years": summary["cold_years"],
        "years": [
            {
                "year": int(year),
                "started": int(row["started"]),
                "gi_z": _finite(row["z"]),
                "q": _finite(row["q"]),
                "spot": spots[int(row["state"])],
            }
            for year, row in yearly.iterrows()
        ],
    }


def hotspot_trends_rows(params: TrendParams) -> tuple[list[dict], bool]:
    """Emerging hot-spot pattern of every territory of the level (ESRI's categories: Gi* of
    the initiatives started each year, Mann-Kendall trend of its z-scores), with the
    pattern's name in the request's language, and whether the result is stale."""
    from radar.analysis.trends import PATTERN_LABELS

    params = params.resolved()
    rows, stale = cached_result("trends", params.__dict__, lambda: _compute_trends(params))
    return [row | {"pattern_label": _(PATTERN_LABELS[row["pattern"]])} for row in rows], stale


def trend_sentence(*, territory: Territory) -> str:
    """The territory's emerging hot-spot pattern over the last years, when it has one."""
    if territory.level not in GAP_LEVELS:
        return ""
    rows, _stale = hotspot_trends_rows(TrendParams(level=territory.level))
    row = next((r for r in rows if r["code"] == territory.code), None)
    if row is None or row["pattern"] == "no_pattern":
        return ""
    return _("Trend of new initiatives over the years: %(pattern)s.") % {
        "pattern": row["pattern_label"]
    }
