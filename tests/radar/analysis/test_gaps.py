import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from radar.analysis import gaps


def grid(populations, side=1000.0, crs=2154):
    """Squares in a row along x, codes t0, t1, ..."""
    n = len(populations)
    return gpd.GeoDataFrame(
        {
            "code": [f"t{i}" for i in range(n)],
            "name": [f"Town {i}" for i in range(n)],
            "population": populations,
        },
        geometry=[shapely.box(i * side, 0, (i + 1) * side, side) for i in range(n)],
        crs=crs,
    )


def points(rows, crs=2154):
    """rows: (id, name, territory, themes, x, y)."""
    ids, names, territory, themes, x, y = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"id": ids, "name": names, "territory": territory, "themes": themes},
        geometry=shapely.points(x, y),
        crs=crs,
    )


# --- rates -----------------------------------------------------------------------------------


def test_raw_rate_is_count_per_10000_inhabitants():
    result = gaps.eb_rates([3, 0, 1], [30_000, 5_000, 2_500])
    assert result["rate"].tolist() == pytest.approx([1.0, 0.0, 4.0])
    assert result["overall_rate"].iloc[0] == pytest.approx(4 / 37_500 * 10_000)


def test_eb_rate_follows_marshall_method_of_moments_on_four_territories():
    counts, population = [0, 4, 2, 10], [1000, 1000, 4000, 4000]
    b = 16 / 10_000  # overall rate per inhabitant
    raw = [0, 0.004, 0.0005, 0.0025]
    s2 = sum(n * (r - b) ** 2 for n, r in zip(population, raw, strict=True)) / 10_000
    assert s2 == pytest.approx(1.64e-6)
    a = s2 - b / 2500  # mean population 2500
    assert a == pytest.approx(1.0e-6)
    weights = [a / (a + b / n) for n in population]
    assert weights == pytest.approx([1 / 2.6, 1 / 2.6, 1 / 1.4, 1 / 1.4])
    expected = [(b + w * (r - b)) * 10_000 for w, r in zip(weights, raw, strict=True)]
    assert expected == pytest.approx([9.846154, 25.230769, 8.142857, 22.428571])

    result = gaps.eb_rates(counts, population)

    assert result["eb_rate"].tolist() == pytest.approx(expected)
    assert result["eb_weight"].tolist() == pytest.approx(weights)


def test_eb_shrinks_small_populations_more_and_always_toward_the_overall_rate():
    result = gaps.eb_rates([0, 4, 2, 10], [1000, 1000, 4000, 4000])
    overall = result["overall_rate"]
    assert result["eb_weight"].iloc[0] < result["eb_weight"].iloc[2]
    assert ((result["eb_rate"] - overall).abs() <= (result["rate"] - overall).abs()).all()
    # Each smoothed rate lies between the raw rate and the overall rate.
    low = np.minimum(result["rate"], overall)
    high = np.maximum(result["rate"], overall)
    assert ((result["eb_rate"] >= low) & (result["eb_rate"] <= high)).all()


def test_commune_of_200_with_one_initiative_tops_raw_rates_but_not_smoothed_ones():
    counts = [2, 3, 4, 2, 9, 0, 6, 2, 4, 1, 1]
    population = [5000] * 10 + [200]
    result = gaps.eb_rates(counts, population)
    assert result["rate"].idxmax() == 10  # 50 per 10,000
    assert result["eb_rate"].idxmax() == 4  # 9 among 5000: 18 per 10,000
    assert result["eb_rate"].iloc[10] < result["eb_rate"].iloc[4]


@pytest.mark.parametrize("unknown", [0, None, np.nan, -3])
def test_zero_or_unknown_population_gives_unknown_rate_and_stays_out_of_the_prior(unknown):
    result = gaps.eb_rates([1, 5, 3], [1000, unknown, 3000])
    assert np.isnan(result["rate"].iloc[1]) and np.isnan(result["eb_rate"].iloc[1])
    assert not np.isinf(result["rate"]).any()
    # Prior from the known two only: 4 initiatives for 4000 inhabitants.
    assert result["overall_rate"].iloc[0] == pytest.approx(10.0)
    assert result["count"].iloc[1] == 5


def test_no_initiative_anywhere_gives_zero_rates_not_nan():
    result = gaps.eb_rates([0, 0], [100, 2000])
    assert result["eb_rate"].tolist() == [0.0, 0.0]


def test_all_populations_unknown_gives_unknown_rates():
    result = gaps.eb_rates([1, 2], [None, 0])
    assert result["eb_rate"].isna().all() and result["overall_rate"].isna().all()


def test_territory_rates_count_each_territory_and_ignore_unknown_codes():
    territories = pd.DataFrame({"code": ["a", "b", "c"], "population": [100, 200, 300]})
    initiatives = pd.DataFrame({"territory": ["a", "a", "c", "elsewhere"]})
    result = gaps.territory_rates(territories, initiatives)
    assert result["count"].to_dict() == {"a": 2, "b": 0, "c": 1}
    assert result.index.name == "territory"
    assert result["overall_rate"].iloc[0] == pytest.approx(3 / 600 * 10_000)


def test_category_rates_fill_absent_pairs_with_zero_and_use_one_prior_per_category():
    population = pd.Series([1000, 3000, None], index=["a", "b", "c"])
    counts = pd.DataFrame(
        {
            "territory": ["a", "b", "a", "c"],
            "category": ["food", "food", "culture", "culture"],
            "count": [2, 1, 4, 7],
        }
    )
    result = gaps.category_rates(counts, population)
    assert len(result) == 6  # 3 territories x 2 categories
    assert result.loc[("b", "culture"), "count"] == 0
    assert result.xs("food", level="category")["count"].sum() == 3
    assert result.loc[("a", "food"), "overall_rate"] == pytest.approx(3 / 4000 * 10_000)
    # c's population is unknown: its 7 initiatives are out of the culture prior.
    assert result.loc[("a", "culture"), "overall_rate"] == pytest.approx(4 / 4000 * 10_000)
    assert np.isnan(result.loc[("c", "culture"), "eb_rate"])


def test_category_counts_explode_lists_and_leave_unknowns_out():
    initiatives = pd.DataFrame(
        {
            "territory": ["a", "a", "b", "b", "b"],
            "actor_types": [["public", "citizen"], ["citizen"], [], None, ["private"]],
            "collaboration_mode": ["digital", "", "digital", None, "hybrid"],
        }
    )
    actors = gaps.category_counts(initiatives, "actor_types")
    modes = gaps.category_counts(initiatives, "collaboration_mode")
    assert actors.to_dict("records") == [
        {"territory": "a", "category": "citizen", "count": 2},
        {"territory": "a", "category": "public", "count": 1},
        {"territory": "b", "category": "private", "count": 1},
    ]
    assert modes.to_dict("records") == [
        {"territory": "a", "category": "digital", "count": 1},
        {"territory": "b", "category": "digital", "count": 1},
        {"territory": "b", "category": "hybrid", "count": 1},
    ]


# --- distances -------------------------------------------------------------------------------


def test_distance_is_zero_inside_and_measured_from_the_polygon_edge_outside():
    territories = grid([100, 100, 100])  # [0,1000], [1000,2000], [2000,3000] x [0,1000]
    initiatives = points(
        [
            (7, "Inside t0", "t0", ["food"], 500, 500),
            (8, "North of t2", None, ["food"], 2500, 1400),  # 400 m above t2's top edge
        ]
    )
    result = gaps.nearest_initiative(territories, initiatives)
    assert result["nearest_distance_m"].tolist() == pytest.approx([0.0, 500.0, 400.0])
    assert result["nearest_id"].tolist() == [7, 7, 8]
    assert result.loc["t2", "nearest_name"] == "North of t2"


def test_nearest_points_agree_with_shapely_query_nearest_on_random_shapes():
    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 50_000, (300, 2))
    polygons = shapely.buffer(shapely.points(centres), rng.uniform(200, 3_000, 300), quad_segs=3)
    polygons = shapely.difference(polygons, shapely.buffer(shapely.points(centres), 150))  # holes
    cloud = shapely.points(rng.uniform(0, 50_000, (400, 2)))

    position, distance = gaps.nearest_points(polygons, cloud)

    tree = shapely.STRtree(cloud)
    (_, reference), expected = tree.query_nearest(polygons, return_distance=True, all_matches=False)
    assert distance == pytest.approx(expected)
    assert shapely.distance(polygons, cloud[position]) == pytest.approx(expected)
    assert (distance == 0).any() and (distance > 0).any()
    assert (position[distance > 0] == reference[distance > 0]).all()


def test_distance_is_in_metres_after_reprojection_from_degrees():
    territories = grid([100, 100]).to_crs(4326)
    initiatives = points([(1, "x", "t0", ["food"], 500, 500)]).to_crs(4326)
    result = gaps.nearest_initiative(territories, initiatives)
    # Straight edges become slightly curved in degrees: metre-level agreement.
    assert result["nearest_distance_m"].tolist() == pytest.approx([0.0, 500.0], abs=1.0)


def test_geometries_without_crs_are_refused():
    territories = grid([100]).set_crs(None, allow_override=True)
    with pytest.raises(ValueError, match="CRS"):
        gaps.nearest_initiative(territories, points([(1, "x", "t0", [], 5, 5)]))


def test_no_initiative_at_all_gives_unknown_distance_and_no_nearest():
    initiatives = points([(1, "x", "t0", ["food"], 5, 5)]).iloc[:0]
    result = gaps.nearest_initiative(grid([100, 100]), initiatives)
    assert result["nearest_distance_m"].isna().all()
    assert result["nearest_id"].isna().all()


def test_simplified_boundaries_keep_distances_within_the_tolerance():
    # A square with a 20 m deep, 400 m wide bay on its east side, and a point facing the bay.
    outline = [(0, 0), (1000, 0), (1000, 300), (980, 300), (980, 700), (1000, 700), (1000, 1000)]
    territories = gpd.GeoDataFrame(
        {"code": ["bay"], "population": [1]},
        geometry=[shapely.Polygon([*outline, (0, 1000)])],
        crs=2154,
    )
    initiatives = points([(1, "x", None, [], 1100, 500)])
    exact = gaps.nearest_initiative(territories, initiatives)["nearest_distance_m"].iloc[0]
    simplified = gaps.simplify_for_distance(territories, 25.0)
    approximate = gaps.nearest_initiative(simplified, initiatives)["nearest_distance_m"].iloc[0]
    assert exact == pytest.approx(120.0)
    assert approximate == pytest.approx(100.0)  # the bay is gone
    assert abs(approximate - exact) <= 25.0


def test_simplifying_in_degrees_keeps_the_tolerance_in_metres():
    # A 2 km square stored in degrees, its edges zigzagging 20 m outward every 100 m.
    along = np.linspace(0, 2000, 21)
    zig = np.where(np.arange(21) % 2, 20.0, 0.0)
    edges = [(along, -zig), (2000 + zig, along), (along[::-1], 2000 + zig), (-zig, along[::-1])]
    origin = np.array([400_000, 6_400_000])
    ring = np.concatenate([np.column_stack(edge) for edge in edges]) + origin
    territories = gpd.GeoDataFrame(
        {"code": ["zz"], "population": [1]}, geometry=[shapely.Polygon(ring)], crs=2154
    )
    initiatives = points([(1, "x", None, [], 401_000, 6_399_000)])  # 1 km south
    exact = gaps.nearest_initiative(territories, initiatives)["nearest_distance_m"].iloc[0]

    simplified = gaps.simplify_for_distance(territories.to_crs(4326), 25.0)
    approximate = gaps.nearest_initiative(simplified, initiatives)["nearest_distance_m"].iloc[0]

    assert exact == pytest.approx(math.hypot(100, 980))  # to the nearest outward tip
    assert 0 < approximate - exact <= 25.0  # the southern zigzag is gone, within tolerance


def test_territory_smaller_than_the_tolerance_keeps_its_shape():
    tiny = grid([1], side=10.0)
    assert gaps.simplify_for_distance(tiny, 25.0).geometry.iloc[0].equals(tiny.geometry.iloc[0])


def test_nearest_by_category_counts_an_initiative_for_each_of_its_themes():
    territories = grid([100, 100, 100])
    initiatives = points(
        [
            (1, "Garden café", "t0", ["food", "culture"], 500, 500),
            (2, "Repair shop", "t2", ["repair_reuse"], 2500, 500),
            (3, "No theme", "t2", [], 2600, 500),
        ]
    )
    result = gaps.nearest_by_category(territories, initiatives)
    assert set(result.index.get_level_values("category")) == {"culture", "food", "repair_reuse"}
    assert result.loc[("t2", "culture"), "nearest_distance_m"] == pytest.approx(1500.0)
    assert result.loc[("t0", "repair_reuse"), "nearest_distance_m"] == pytest.approx(1500.0)
    assert result.loc[("t1", "food"), "nearest_id"] == 1


# --- white zones and ranking -----------------------------------------------------------------


def test_white_zone_needs_enough_people_and_no_initiative_within_the_radius():
    population = [12_000, 12_000, 12_000, 800, None, 12_000]
    distance = [8_001, 8_000, 0, 50_000, 50_000, np.nan]
    result = gaps.white_zones(population, distance, min_population=1_000, radius_m=8_000)
    # exactly at the radius is within reach; no initiative anywhere is a white zone
    assert result.tolist() == [True, False, False, False, False, True]


def test_compute_gaps_gives_one_row_per_territory_and_per_territory_theme_pair():
    territories = grid([12_000, 300, 5_000, None])
    initiatives = points(
        [
            (1, "Garden", "t1", ["food"], 1500, 500),
            (2, "Repair café", "t1", ["repair_reuse", "food"], 1600, 500),
        ]
    )
    result = gaps.compute_gaps(territories, initiatives, min_population=1_000, radius_m=450)
    assert list(result.territories.index) == ["t0", "t1", "t2", "t3"]
    assert result.territories["count"].sum() == 2
    # t0 is 500 m from the garden, t2 400 m from the café, t3's population is unknown.
    assert result.territories["white_zone"].tolist() == [True, False, False, False]
    assert result.territories.loc["t0", "nearest_distance_m"] == pytest.approx(500.0)
    assert len(result.by_category) == 4 * 2
    assert result.by_category.xs("food", level="category")["count"].sum() == 2


def test_without_any_initiative_populated_territories_are_white_zones():
    initiatives = points([(1, "x", "t0", ["food"], 5, 5)]).iloc[:0]
    result = gaps.compute_gaps(grid([12_000, 300]), initiatives, min_population=1_000)
    assert result.territories["white_zone"].tolist() == [True, False]
    assert result.territories["eb_rate"].tolist() == [0.0, 0.0]
    assert result.by_category.empty
    assert "nearest_distance_m" in result.by_category.columns


def underserved_table():
    return pd.DataFrame(
        {
            "name": ["Big town", "Village", "Remote town", "Rich town"],
            "population": [40_000, 200, 12_000, 20_000],
            "count": [10, 0, 0, 30],
            "eb_rate": [2.5, 4.9, 3.0, 15.0],
            "overall_rate": [5.0] * 4,
            "nearest_name": ["A", "B", "Fablab", "C"],
            "nearest_distance_m": [0.0, 3_000.0, 8_400.0, 0.0],
        },
        index=pd.Index(["big", "village", "remote", "rich"], name="territory"),
    )


def test_ranking_puts_white_zones_first_then_the_largest_shortfall():
    ranking = gaps.rank_underserved(underserved_table(), min_population=5_000, radius_m=8_000)
    assert list(ranking.index) == ["remote", "big", "village"]
    assert ranking.loc["big", "shortfall"] == pytest.approx((5.0 - 2.5) * 40_000 / 10_000)
    assert ranking.loc["remote", "reason"] == "white_zone"
    assert ranking.loc["big", "reason"] == "below_overall_rate"
    assert ranking.loc["remote", "nearest_distance_km"] == pytest.approx(8.4)
