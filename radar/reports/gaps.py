"""Gaps: initiatives per 10,000 inhabitants (raw and empirical-Bayes smoothed), the distance
to the nearest initiative, white zones, low/high clusters (Getis-Ord Gi*) and the
under-served ranking, with its reason in words.

Reads, per computation, the level's territories and the published initiatives once."""

import json
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.selectors import InitiativeFilters
from radar.parameters import GAP_LEVELS, random_seed
from radar.reports import cache
from radar.reports.reading import LevelTerritories, initiative_rows
from radar.reports.words import number
from territories.models import Territory

# The radar's choices (radar.analysis.gaps has the same defaults for its own callers).
MIN_POPULATION = 5_000
RADIUS_KM = 10.0
PER = 10_000
# With P permutations the smallest two-sided p is 2/(P+1); Benjamini-Hochberg over 538
# communes needs far smaller p-values than 999 permutations can give (0.002).
CLUSTER_PERMUTATIONS = 9999


@dataclass(frozen=True)
class GapParams:
    level: str = "commune"
    theme: str = ""
    actor_type: str = ""
    collaboration_mode: str = ""
    min_population: int = MIN_POPULATION
    radius_km: float = RADIUS_KM
    seed: int = field(default_factory=random_seed)

    def filters(self) -> InitiativeFilters:
        return InitiativeFilters(
            themes=(self.theme,) if self.theme else (),
            actor_types=(self.actor_type,) if self.actor_type else (),
            collaboration_modes=(self.collaboration_mode,) if self.collaboration_mode else (),
        )


def gaps_rows(
    params: GapParams, territories: LevelTerritories | None = None
) -> tuple[list[dict], bool]:
    """The gap analysis of every territory of the level, with the reason in words for the
    under-served ones, and whether it is stale (being recomputed)."""
    territories = territories or LevelTerritories(params.level)
    rows, stale = cache.cached_result(
        "gaps", params.__dict__, lambda: _compute(params, territories)
    )
    return [dict(row, reason=_reason(row, params.radius_km)) for row in rows], stale


def gap_features(params: GapParams, *, with_geometry: bool = True) -> tuple[list[dict], bool]:
    """The same rows as GeoJSON features with their territory's polygon (read once), or with
    none (`geometry` null: the maps draw the shapes from the versioned territory tiles)."""
    territories = LevelTerritories(params.level)
    rows, stale = gaps_rows(params, territories)
    geometries = territories.geojson() if with_geometry else {}
    return [feature(row["code"], geometries.get(row["code"]), row) for row in rows], stale


def feature(code: str, geometry: str | None, properties: dict) -> dict:
    return {
        "type": "Feature",
        "id": code,
        "geometry": json.loads(geometry) if geometry else None,
        "properties": properties,
    }


def gap_of(*, territory: Territory) -> dict | None:
    """The territory's line in the gap analysis, when its level is analysed."""
    if territory.level not in GAP_LEVELS:
        return None
    rows, _stale = gaps_rows(GapParams(level=territory.level))
    return next((row for row in rows if row["code"] == territory.code), None)


def _compute(params: GapParams, territories: LevelTerritories) -> list[dict]:
    # The scientific stack loads here, when a result is computed, not on a cache hit.
    from radar.analysis import clusters, gaps
    from radar.reports import frames

    level = frames.territories_frame(territories)
    rows = initiative_rows(level=params.level, filters=params.filters())
    published = frames.initiatives_frame(rows)
    # The rates count the active initiatives; `initiatives` counts every published one,
    # dormant and ended too, so that the counts add up to the published total.
    radius_m = params.radius_km * 1000
    result = gaps.compute_gaps(
        level,
        published[published["active"]],
        crs=settings.RADAR_METRIC_SRID,
        min_population=params.min_population,
        radius_m=radius_m,
    ).territories
    hot = clusters.rate_clusters(
        level,
        result.loc[level["code"], "eb_rate"].to_numpy(dtype=float),
        permutations=CLUSTER_PERMUTATIONS,
        seed=params.seed,
    )
    ranked = gaps.rank_underserved(result, min_population=params.min_population, radius_m=radius_m)
    ranks = {code: rank for rank, code in enumerate(ranked.index, start=1)}
    published_counts = published["territory"].value_counts()
    return [
        _row(code, result.loc[code], hot.loc[code], ranks.get(code), frames.finite)
        | {"initiatives": int(published_counts.get(code, 0))}
        for code in level["code"]
    ]


def _row(code, row, hot, rank, finite) -> dict:
    nearest_id = finite(row["nearest_id"])
    population = finite(row["population"])
    return {
        "code": code,
        "name": row["name"],
        "population": None if population is None else int(population),
        "active_initiatives": int(row["count"]),
        "rate_per_10k": finite(row["rate"]),
        "smoothed_rate_per_10k": finite(row["eb_rate"]),
        "overall_rate_per_10k": finite(row["overall_rate"]),
        "nearest_distance_m": finite(row["nearest_distance_m"]),
        "nearest_initiative": (
            None if nearest_id is None else {"id": int(nearest_id), "name": row["nearest_name"]}
        ),
        "white_zone": bool(row["white_zone"]),
        "cluster": {"high": "high", "low": "low"}.get(hot["label"], "not_significant"),
        "cluster_q": finite(hot["q"]),
        "underserved_rank": rank,
    }


# --- Words ---------------------------------------------------------------------------------

# Sentence templates are English msgids, translated when the page is drawn.
REASON_TEMPLATES = {
    "white_zone": gettext_noop(
        "{population} inhabitants, no initiative within {radius} km; the nearest: "
        "{nearest} ({distance} km)."
    ),
    "white_zone_nothing_near": gettext_noop(
        "{population} inhabitants, no initiative within {radius} km."
    ),
    "below_overall_rate": gettext_noop(
        "{population} inhabitants, {rate} initiatives per {per} inhabitants (smoothed) "
        "against {overall} on average."
    ),
}


def _reason(row: dict, radius_km: float) -> str:
    """Why an under-served territory is one, in one sentence ("" for the others)."""
    if row["underserved_rank"] is None or row["population"] is None:
        return ""
    nearest = row["nearest_initiative"]
    distance = row["nearest_distance_m"]
    return describe_gap(
        reason="white_zone" if row["white_zone"] else "below_overall_rate",
        population=row["population"],
        radius_km=radius_km,
        nearest_name=nearest["name"] if nearest else None,
        nearest_distance_km=distance / 1000 if distance is not None else None,
        eb_rate=row["smoothed_rate_per_10k"],
        overall_rate=row["overall_rate_per_10k"],
    )


def describe_gap(
    *,
    reason: str,
    population: float,
    radius_km: float | None = None,
    nearest_name: str | None = None,
    nearest_distance_km: float | None = None,
    eb_rate: float | None = None,
    overall_rate: float | None = None,
    per: int = PER,
) -> str:
    """One sentence for an under-served territory, in the request's language."""
    if reason == "white_zone" and nearest_name is None:
        reason = "white_zone_nothing_near"
    return _(REASON_TEMPLATES[reason]).format(
        population=number(population, 0),
        radius=_km(radius_km),
        nearest=nearest_name,
        distance=_km(nearest_distance_km),
        rate=_decimal(eb_rate, 1),
        overall=_decimal(overall_rate, 1),
        per=number(per, 0),
    )


def _km(km: float | None) -> str:
    """Whole kilometres from 10 km up; one decimal below, where 0.4 vs 0.9 matters."""
    if km is None or not math.isfinite(km):
        return _decimal(km, 1)
    return number(km, 0 if km >= 10 else 1)


def _decimal(value: float | None, decimals: int) -> str:
    return number(float("nan") if value is None else value, decimals)


# Why a layer of the map is empty, and what to change to see something.


def white_zone_note(rows: list[dict], *, min_population: int, radius_km: float) -> str:
    """Empty when there are white zones; otherwise why there are none."""
    if any(row["white_zone"] for row in rows):
        return ""
    populated = [
        row for row in rows if row["population"] is not None and row["population"] >= min_population
    ]
    if not populated:
        return _(
            "No white zone: no territory of this level has %(population)s inhabitants or more. "
            "Lower the population threshold in the filters."
        ) % {"population": number(min_population, 0)}
    farthest = max(populated, key=lambda row: row["nearest_distance_m"] or 0)
    return _(
        "No white zone with these thresholds: every territory of at least %(population)s "
        "inhabitants has an active initiative within %(radius)s km (the farthest, %(name)s, is "
        "%(distance)s km from one). Lower the population threshold or the distance in the "
        "filters to see the least served."
    ) % {
        "population": number(min_population, 0),
        "radius": number(radius_km, 1),
        "name": farthest["name"],
        "distance": number((farthest["nearest_distance_m"] or 0) / 1000, 1),
    }


def cluster_note(rows: list[dict], *, level: str) -> str:
    """Empty when there are significant clusters; otherwise why there are none."""
    if any(row["cluster"] in ("high", "low") for row in rows):
        return ""
    note = _(
        "No significant cluster: no territory's rate differs from its neighbours' more than "
        "chance would give (Getis-Ord Gi*, false discovery rate %(rate)s)."
    ) % {"rate": _("%(percent)s %%") % {"percent": number(5, 0)}}
    if level != "commune":
        note += " " + _(
            "With only %(count)s territories at this level the test has little power: choose "
            "the municipality level in the filters."
        ) % {"count": number(len(rows), 0)}
    return note
