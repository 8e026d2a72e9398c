"""Where initiatives are missing: per-capita rates, distances, white zones, under-served ranking.

Plain functions over pandas / GeoPandas; nothing here knows the ORM or HTTP.

Inputs
------
territories : GeoDataFrame with columns ``code``, ``population`` (NaN/None = unknown),
    optionally ``name``, and polygon geometries with a CRS.
initiatives : GeoDataFrame with columns ``id``, ``territory`` (the code of the territory it
    belongs to at the level analysed), optionally ``name`` and ``themes`` (a list, as in the
    Initiative model, or a single value), and point geometries with a CRS. The caller filters
    to active, published initiatives.

Outputs are indexed by territory code (index name ``territory``).

Empirical-Bayes smoothing
-------------------------
Raw rates of small communes are noise: one initiative among 200 inhabitants is 50 per 10,000.
We use Marshall's (1991) global empirical-Bayes estimator: the rates are assumed drawn from a
prior of mean ``b`` and variance ``a`` estimated by the method of moments over every territory
with a known population::

    b  = sum(x) / sum(n)                       overall rate
    s2 = sum(n_i (r_i - b)^2) / sum(n)         population-weighted variance of the raw rates
    a  = max(0, s2 - b / mean(n))              between-territory variance (Poisson noise removed)
    w_i = a / (a + b / n_i)                    weight of the territory's own rate
    eb_i = b + w_i (r_i - b)

so a small population (``b / n_i`` large) is pulled harder toward ``b``.
"""

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

LAMBERT_93 = 2154
PER = 10_000
MIN_POPULATION = 5_000
MAX_DISTANCE_M = 10_000.0
SIMPLIFY_M = 25.0
METRES_PER_DEGREE_AT_MOST = 111_700  # a degree of latitude near the poles
INDEX = "territory"
RATE_COLUMNS = ["count", "population", "rate", "eb_rate", "eb_weight", "overall_rate"]
NEAREST_COLUMNS = ["nearest_id", "nearest_name", "nearest_distance_m"]


# ---------------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------------


def known_population(population) -> np.ndarray:
    """Population as floats, NaN where unknown: missing, zero or negative (no rate exists)."""
    n = pd.to_numeric(pd.Series(population), errors="coerce").to_numpy(dtype=float)
    return np.where(n > 0, n, np.nan)


def marshall_prior(counts: np.ndarray, population: np.ndarray) -> tuple[float, float]:
    """Prior mean ``b`` and variance ``a`` of the rates (per inhabitant), over known populations."""
    known = ~np.isnan(population)
    x, n = counts[known], population[known]
    if n.size == 0:
        return np.nan, np.nan
    b = x.sum() / n.sum()
    s2 = np.sum(n * (x / n - b) ** 2) / n.sum()
    return b, max(s2 - b / n.mean(), 0.0)


def eb_rates(counts, population, per: int = PER) -> pd.DataFrame:
    """Raw and empirical-Bayes rates per ``per`` inhabitants.

    Columns: count, population, rate, eb_rate, eb_weight (1 = own rate kept, 0 = fully shrunk
    to the overall rate), overall_rate. Unknown population gives NaN rates and is left out of
    the prior. Keeps the index of ``counts`` when it is a Series.
    """
    x = np.asarray(counts, dtype=float)
    n = known_population(population)
    b, a = marshall_prior(x, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = x / n
        noise = b / n
        # a == b == 0 (no initiative anywhere): nothing to learn from the data, weight 0.
        weight = np.where(a + noise > 0, a / (a + noise), 0.0)
    weight = np.where(np.isnan(n), np.nan, weight)
    index = counts.index if isinstance(counts, pd.Series) else None
    return pd.DataFrame(
        {
            "count": x.astype(int),
            "population": pd.to_numeric(pd.Series(population), errors="coerce").to_numpy(float),
            "rate": raw * per,
            "eb_rate": (b + weight * (raw - b)) * per,
            "eb_weight": weight,
            "overall_rate": b * per,
        },
        index=index,
    )


def territory_rates(territories: pd.DataFrame, initiatives: pd.DataFrame, per: int = PER):
    """Count and rates per territory. Needs ``code``/``population`` and ``territory`` columns.

    Initiatives whose territory is not in ``territories`` are ignored.
    """
    population = territories.set_index("code")["population"]
    counts = initiatives["territory"].value_counts().reindex(population.index, fill_value=0)
    return eb_rates(counts, population.to_numpy(), per).rename_axis(INDEX)


def category_counts(initiatives: pd.DataFrame, column: str) -> pd.DataFrame:
    """Long table ``territory, category, count`` from a column of codes or of lists of codes
    (themes, actor_types, collaboration_mode...). An initiative with two themes counts once
    in each; unknown values (None, "", []) are left out."""
    exploded = initiatives[["territory", column]].explode(column)
    exploded = exploded[exploded[column].notna() & (exploded[column] != "")]
    counts = exploded.groupby(["territory", column]).size().rename("count").reset_index()
    return counts.rename(columns={column: "category"})


def category_rates(counts: pd.DataFrame, population: pd.Series, per: int = PER) -> pd.DataFrame:
    """Rates per (territory, category) from a long table ``territory, category, count``.

    ``population`` is indexed by territory code and must list every territory: absent
    (territory, category) pairs count as zero, which the prior of each category needs.
    One prior per category. Output: long table indexed by (territory, category).
    """
    wide = counts.pivot_table(
        index="territory", columns="category", values="count", aggfunc="sum", fill_value=0
    ).reindex(population.index, fill_value=0)
    per_category = {c: eb_rates(wide[c], population.to_numpy(), per) for c in wide.columns}
    return _stack(per_category, RATE_COLUMNS)


def _stack(frames: dict, columns: list[str]) -> pd.DataFrame:
    """Long table indexed by (territory, category); well-formed even without categories."""
    if not frames:
        index = pd.MultiIndex.from_arrays([[], []], names=[INDEX, "category"])
        return pd.DataFrame(columns=columns, index=index)
    return pd.concat(frames, names=["category", INDEX]).swaplevel().sort_index()


# ---------------------------------------------------------------------------------------------
# Distances
# ---------------------------------------------------------------------------------------------


def to_metric(gdf: gpd.GeoDataFrame, crs=LAMBERT_93) -> gpd.GeoDataFrame:
    """Reproject to a metric CRS; refuse data without a CRS rather than guess degrees/metres."""
    if gdf.crs is None:
        raise ValueError("geometries have no CRS")
    return gdf if gdf.crs.equals(crs) else gdf.to_crs(crs)


def simplify_for_distance(territories: gpd.GeoDataFrame, tolerance_m: float):
    """Territories with boundaries simplified (Douglas-Peucker) for distance queries.

    Each simplified boundary stays within ``tolerance_m`` of the original, so distances are
    exact to +/- ``tolerance_m`` -- invisible at the kilometre scale of a gap -- while
    detailed boundaries get far cheaper (200-vertex communes: 1.3 s -> 0.2 s per query on
    35,000 communes). Topology is not preserved (10x faster): a polygon that collapses keeps
    its original shape. In degrees the tolerance becomes ``tolerance_m / 111,700``: no degree
    is longer than 111.7 km, so the bound holds in metres, and projecting afterwards moves
    fewer vertices.
    """
    if not tolerance_m:
        return territories
    geographic = territories.crs is not None and territories.crs.is_geographic
    tolerance = tolerance_m / METRES_PER_DEGREE_AT_MOST if geographic else tolerance_m
    original = territories.geometry.values
    simplified = shapely.simplify(original, tolerance, preserve_topology=False)
    collapsed = shapely.is_empty(simplified) | ~shapely.is_valid(simplified)
    simplified[collapsed] = original[collapsed]
    return territories.set_geometry(simplified, crs=territories.crs)


def _metric_for_distance(territories: gpd.GeoDataFrame, crs, simplify_m: float):
    """Projected and simplified; simplified first when in degrees (fewer vertices to project).

    A projected input is projected first: its units need not be metres."""
    if territories.crs is not None and territories.crs.is_geographic:
        return to_metric(simplify_for_distance(territories, simplify_m), crs)
    return simplify_for_distance(to_metric(territories, crs), simplify_m)


def nearest_points(polygons, points) -> tuple[np.ndarray, np.ndarray]:
    """For each polygon, the position of the nearest point and the distance (0 if inside).

    Distance is taken from the polygon itself, not from a centroid: a large commune whose
    centre is empty but whose edge touches an initiative is not a gap. -1 / NaN when there is
    no point at all or the polygon is missing. ``points`` must be single points.
    """
    polygons, points = np.asarray(polygons), np.asarray(points)
    position = np.full(len(polygons), -1)
    distance = np.full(len(polygons), np.nan)
    usable_points = np.flatnonzero(_present(points))
    usable_polygons = np.flatnonzero(_present(polygons))
    if usable_points.size and usable_polygons.size:
        found, gap = _exact_nearest(polygons[usable_polygons], points[usable_points])
        position[usable_polygons], distance[usable_polygons] = usable_points[found], gap
    return position, distance


def _present(geometries: np.ndarray) -> np.ndarray:
    return ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))


def _exact_nearest(polygons: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest point of each polygon in two passes, exact.

    1. An upper bound: the distance from the polygon to the point nearest a point on its
       surface (KD-tree, cheap).
    2. Only points within that bound can do better: a "dwithin" query on prepared polygons
       finds them, their exact distances settle it.
    1.5-2.5x faster than STRtree.query_nearest (unprepared distances to every candidate);
    same distances, ties (several points inside) may pick another point.
    """
    _, best = cKDTree(_xy(points)).query(_xy(shapely.point_on_surface(polygons)))
    bound = shapely.distance(polygons, points[best])
    outside = np.flatnonzero(bound > 0)
    # STRtree prepares each queried polygon for the predicate itself.
    pairs = shapely.STRtree(points).query(
        polygons[outside], predicate="dwithin", distance=bound[outside]
    )
    distances = shapely.distance(polygons[outside][pairs[0]], points[pairs[1]])
    _improve(best, bound, outside[pairs[0]], pairs[1], distances)
    return best, bound


def _xy(points: np.ndarray) -> np.ndarray:
    return np.column_stack([shapely.get_x(points), shapely.get_y(points)])


def _improve(best, bound, polygon, point, gap) -> None:
    """Where a candidate pair beats the bound, keep the closest candidate (in place)."""
    order = np.lexsort((gap, polygon))  # by polygon, closest first
    first = order[np.unique(polygon[order], return_index=True)[1]]
    better = first[gap[first] < bound[polygon[first]]]
    best[polygon[better]], bound[polygon[better]] = point[better], gap[better]


def nearest_initiative(territories, initiatives, crs=LAMBERT_93) -> pd.DataFrame:
    """Nearest initiative of each territory: nearest_id, nearest_name, nearest_distance_m."""
    polygons = to_metric(territories, crs)
    points = to_metric(initiatives, crs)
    position, distance = nearest_points(polygons.geometry.values, points.geometry.values)
    return _nearest_frame(polygons["code"], points, position, distance)


def _nearest_frame(codes, points, position, distance) -> pd.DataFrame:
    names = points["name"] if "name" in points else pd.Series(None, index=points.index)
    # A trailing None makes position -1 ("nothing found") read as None.
    ids = np.append(points["id"].to_numpy(dtype=object), None)
    names = np.append(names.to_numpy(dtype=object), None)
    return pd.DataFrame(
        {
            "nearest_id": ids[position],
            "nearest_name": names[position],
            "nearest_distance_m": distance,
        },
        index=pd.Index(codes, name=INDEX),
    )


def nearest_by_category(territories, initiatives, category="themes", crs=LAMBERT_93):
    """Nearest initiative of each category, long table indexed by (territory, category).

    ``category`` may hold lists (an initiative with two themes counts for both).
    Categories with no initiative do not appear.
    """
    polygons = to_metric(territories, crs)
    points = to_metric(initiatives, crs).explode(category, ignore_index=True)
    points = points[points[category].notna() & (points[category] != "")]
    frames = {}
    for value, group in points.groupby(category, sort=True):
        position, distance = nearest_points(polygons.geometry.values, group.geometry.values)
        frames[value] = _nearest_frame(polygons["code"], group, position, distance)
    return _stack(frames, NEAREST_COLUMNS)


# ---------------------------------------------------------------------------------------------
# White zones and ranking
# ---------------------------------------------------------------------------------------------


def white_zones(population, distance_m, min_population=MIN_POPULATION, radius_m=MAX_DISTANCE_M):
    """Populated enough and no initiative within ``radius_m``.

    NaN distance (no initiative anywhere) counts as none within reach; unknown population is
    never a white zone (we cannot say it is populated).
    """
    population = known_population(population)
    distance = np.asarray(distance_m, dtype=float)
    return (population >= min_population) & ~(distance <= radius_m)


class Gaps(NamedTuple):
    territories: pd.DataFrame  # one row per territory
    by_category: pd.DataFrame  # one row per (territory, category)


def compute_gaps(
    territories: gpd.GeoDataFrame,
    initiatives: gpd.GeoDataFrame,
    *,
    category: str = "themes",
    crs=LAMBERT_93,
    per: int = PER,
    min_population: float = MIN_POPULATION,
    radius_m: float = MAX_DISTANCE_M,
    simplify_m: float = SIMPLIFY_M,
) -> Gaps:
    """Everything the gaps map needs, overall and per category, in two tables.

    Columns (both): count, population, rate, eb_rate, eb_weight, overall_rate, nearest_id,
    nearest_name, nearest_distance_m, white_zone; plus ``name`` for territories.
    Distances are exact to +/- ``simplify_m`` metres (0 = exact); see simplify_for_distance.
    """
    overall = territory_rates(territories, initiatives, per)
    territories = _metric_for_distance(territories, crs, simplify_m)
    initiatives = to_metric(initiatives, crs)
    overall = overall.join(nearest_initiative(territories, initiatives, crs))
    overall["white_zone"] = white_zones(
        overall["population"], overall["nearest_distance_m"], min_population, radius_m
    )
    if "name" in territories:
        overall.insert(0, "name", territories.set_index("code")["name"])
    population = overall["population"]
    by_category = _gaps_by_category(territories, initiatives, population, category, crs, per)
    by_category["white_zone"] = white_zones(
        by_category["population"], by_category["nearest_distance_m"], min_population, radius_m
    )
    return Gaps(overall, by_category)


def _gaps_by_category(territories, initiatives, population, category, crs, per):
    rates = category_rates(category_counts(initiatives, category), population, per)
    return rates.join(nearest_by_category(territories, initiatives, category, crs))


def rank_underserved(
    table: pd.DataFrame,
    *,
    per: int = PER,
    min_population: float = MIN_POPULATION,
    radius_m: float = MAX_DISTANCE_M,
    limit: int | None = None,
) -> pd.DataFrame:
    """Under-served territories, most urgent first, with the facts that explain why.

    ``table`` is ``compute_gaps(...).territories`` (or any frame with population, count,
    eb_rate, overall_rate, nearest_name, nearest_distance_m). A territory qualifies if it is
    a white zone or its smoothed rate is below the overall rate. Order: white zones first,
    then by ``shortfall`` — the initiatives missing to reach the overall rate, using the
    smoothed rate so that tiny communes cannot dominate.

    Adds: shortfall, nearest_distance_km, radius_km, white_zone, reason
    ('white_zone' | 'below_overall_rate').
    """
    out = table.copy()
    out["shortfall"] = (out["overall_rate"] - out["eb_rate"]) * out["population"] / per
    out["white_zone"] = white_zones(
        out["population"], out["nearest_distance_m"], min_population, radius_m
    )
    out["nearest_distance_km"] = out["nearest_distance_m"] / 1000
    out["radius_km"] = radius_m / 1000
    out["reason"] = np.where(out["white_zone"], "white_zone", "below_overall_rate")
    out = out[out["white_zone"] | (out["shortfall"] > 0)]
    out = out.sort_values(["white_zone", "shortfall"], ascending=False, kind="stable")
    return out if limit is None else out.head(limit)
