from datetime import date
from math import erfc, sqrt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import kendalltau

from radar.analysis import trends
from radar.analysis.randomness import DEFAULT_SEED


def series(text: str) -> np.ndarray:
    """'H' hot, 'C' cold, '.' not significant, one character per year, oldest first."""
    return np.array([{"H": 1, "C": -1, ".": 0}[c] for c in text])


# --- Mann-Kendall ------------------------------------------------------------------------


def test_mann_kendall_matches_the_hand_computation_without_ties():
    # pairs of 1 3 2 4: + + + - + +  -> S = 4; Var = 4*3*13/18; Z = (4 - 1) / sqrt(Var)
    result = trends.mann_kendall([1, 3, 2, 4])

    assert result.s == 4
    assert result.var_s == pytest.approx(156 / 18)
    assert result.z == pytest.approx(3 / sqrt(156 / 18))
    assert result.p == pytest.approx(erfc(3 / sqrt(156 / 18) / sqrt(2)))
    assert result.tau == pytest.approx(4 / 6)


def test_mann_kendall_corrects_the_variance_for_ties():
    # 1 2 2 3 5: S = 4 + 0 + 2 + 2 + 1 = 9; Var = (5*4*15 - 2*1*9) / 18 = 282 / 18
    result = trends.mann_kendall([1, 2, 2, 3, 5])

    assert result.s == 9
    assert result.var_s == pytest.approx(282 / 18)
    assert result.z == pytest.approx(8 / sqrt(282 / 18))
    assert result.tau == pytest.approx(9 / sqrt(10 * 9))  # tau-b: 10 pairs, 1 tied in x


def test_a_decreasing_series_has_a_negative_continuity_corrected_score():
    result = trends.mann_kendall([5, 4, 3, 2, 1])

    assert result.s == -10
    assert result.z == pytest.approx((-10 + 1) / sqrt(5 * 4 * 15 / 18))
    assert result.tau == -1.0


@pytest.mark.parametrize(
    "x",
    [
        [0.3, -1.2, 2.5, 2.5, 0.1, 4.0, 3.3, 3.3, 3.3, 5.1],
        [2.0, 1.0, 0.5, 0.5, -0.2, -1.0, -1.0, -3.0],
        list(np.random.default_rng(4).normal(size=25)),
    ],
)
def test_without_continuity_correction_it_is_scipys_kendall_tau_against_time(x):
    ours = trends.mann_kendall(x, continuity=False)
    theirs = kendalltau(np.arange(len(x)), x, method="asymptotic")

    assert ours.tau == pytest.approx(theirs.statistic)
    assert ours.p == pytest.approx(theirs.pvalue)


def test_missing_years_are_left_out_and_flat_or_short_series_are_not_tested():
    assert trends.mann_kendall([1, np.nan, 3, 2, 4]).s == 4
    flat = trends.mann_kendall([2, 2, 2, 2])
    assert flat.s == 0 and np.isnan(flat.p) and np.isnan(flat.tau)
    assert np.isnan(trends.mann_kendall([1, 2]).p)


# --- Classification ----------------------------------------------------------------------

SIGNIFICANT_RISE, SIGNIFICANT_FALL, NO_TREND = (30, 0.001), (-30, 0.001), (3, 0.6)


@pytest.mark.parametrize(
    ("states", "trend", "pattern"),
    [
        ("..........", NO_TREND, "no_pattern"),
        ("...H......", NO_TREND, "no_pattern"),  # hot once, long ago
        (".........H", NO_TREND, "new_hot_spot"),
        ("C........H", NO_TREND, "new_hot_spot"),  # never *hot* before: new, not oscillating
        (".......HHH", NO_TREND, "consecutive_hot_spot"),
        ("..HHHHHHHH", SIGNIFICANT_RISE, "consecutive_hot_spot"),  # 80 %, under 90
        (".HHHHHHHHH", SIGNIFICANT_RISE, "intensifying_hot_spot"),
        ("HHHHHHHHHH", NO_TREND, "persistent_hot_spot"),
        ("H.HHHHHHHH", NO_TREND, "persistent_hot_spot"),
        ("HHHHHHHHHH", SIGNIFICANT_FALL, "diminishing_hot_spot"),
        ("H...H....H", NO_TREND, "sporadic_hot_spot"),
        ("H.....HHHH", SIGNIFICANT_RISE, "sporadic_hot_spot"),  # hot before the final run
        ("H...C....H", NO_TREND, "oscillating_hot_spot"),
        ("HC.HHHHHHH", SIGNIFICANT_RISE, "oscillating_hot_spot"),  # 80 % hot
        ("HHHHHHHHH.", NO_TREND, "historical_hot_spot"),
        ("HHHHHHHHH.", SIGNIFICANT_FALL, "historical_hot_spot"),
        (".........C", NO_TREND, "new_cold_spot"),
        (".......CCC", NO_TREND, "consecutive_cold_spot"),
        (".CCCCCCCCC", SIGNIFICANT_FALL, "intensifying_cold_spot"),  # ever lower z
        ("CCCCCCCCCC", NO_TREND, "persistent_cold_spot"),
        ("CCCCCCCCCC", SIGNIFICANT_RISE, "diminishing_cold_spot"),
        ("C...C....C", NO_TREND, "sporadic_cold_spot"),
        ("C...H....C", NO_TREND, "oscillating_cold_spot"),
        ("CCCCCCCCC.", NO_TREND, "historical_cold_spot"),
        ("HHHHHHHHHC", NO_TREND, "new_cold_spot"),  # the last step outranks history
    ],
)
def test_each_pattern_follows_esris_definition(states, trend, pattern):
    s, p = trend
    assert trends.classify_series(series(states), s, p) == pattern


def test_a_trend_is_significant_only_below_alpha():
    hot = series("HHHHHHHHHH")
    assert trends.classify_series(hot, 20, 0.049) == "intensifying_hot_spot"
    assert trends.classify_series(hot, 20, 0.05) == "persistent_hot_spot"
    assert trends.classify_series(hot, 20, np.nan) == "persistent_hot_spot"
    assert trends.classify_series(hot, 20, 0.04, alpha=0.01) == "persistent_hot_spot"


def test_classify_works_row_by_row():
    states = np.stack([series(".........H"), series("CCCCCCCCCC"), series("..........")])
    patterns = trends.classify(states, [1, -30, 0], [0.5, 0.001, np.nan])

    assert patterns.tolist() == ["new_hot_spot", "intensifying_cold_spot", "no_pattern"]


# --- Cube and Gi* per year ---------------------------------------------------------------


def square_grid(size: int) -> gpd.GeoDataFrame:
    rows, cols = np.divmod(np.arange(size * size), size)
    return gpd.GeoDataFrame(
        {"code": [f"r{r}c{c}" for r, c in zip(rows, cols, strict=True)]},
        geometry=shapely.box(cols * 1000, rows * 1000, (cols + 1) * 1000, (rows + 1) * 1000),
        crs=2154,
    )


def test_yearly_counts_count_starts_per_territory_and_year():
    territories = pd.DataFrame({"code": ["a", "b", "c"]})
    initiatives = pd.DataFrame(
        {
            "territory": ["a", "a", "b", "zz", "c", "c"],
            # ... then an unknown territory, an undated start, a year out of range
            "start_date": [
                *(date(2020, 5, 1), date(2021, 1, 1), date(2021, 12, 31)),
                *(date(2021, 3, 1), None, date(2019, 1, 1)),
            ],
        }
    )

    table = trends.yearly_counts(territories, initiatives, [2020, 2021])

    assert table.to_numpy().tolist() == [[1, 1], [0, 1], [0, 0]]
    assert table.columns.tolist() == [2020, 2021]


def starts(size: int, years: int, hot_from: int) -> np.ndarray:
    """Poisson(1) starts per cell and year; 8 a year in the 3x3 lower-left corner from
    year ``hot_from`` on."""
    rng = np.random.default_rng(11)
    counts = rng.poisson(1.0, size=(size * size, years)).astype(float)
    rows, cols = np.divmod(np.arange(size * size), size)
    corner = (rows < 3) & (cols < 3)
    counts[np.ix_(corner, np.arange(hot_from, years))] = 8
    return counts


def test_a_corner_that_heats_up_in_the_last_years_is_a_consecutive_hot_spot():
    territories = square_grid(8)
    counts = starts(8, 10, hot_from=7)

    spots = trends.yearly_hot_spots(territories, counts, permutations=999, seed=1)
    centre = 1 * 8 + 1  # r1c1, surrounded by the corner
    assert spots.states[centre].tolist() == [0] * 7 + [1, 1, 1]

    trend = trends.mann_kendall(spots.z[centre])
    assert trend.s > 0
    pattern = trends.classify_series(spots.states[centre], trend.s, trend.p)
    assert pattern == "consecutive_hot_spot"


def test_yearly_gi_star_has_a_fixed_default_seed_and_honours_another():
    territories = square_grid(6)
    counts = starts(6, 4, hot_from=2) + np.random.default_rng(2).poisson(1, (36, 4))
    first = trends.yearly_hot_spots(territories, counts, permutations=99)
    again = trends.yearly_hot_spots(territories, counts, permutations=99)
    same = trends.yearly_hot_spots(territories, counts, permutations=99, seed=DEFAULT_SEED)
    other = trends.yearly_hot_spots(territories, counts, permutations=99, seed=DEFAULT_SEED + 7)
    assert np.array_equal(first.q, again.q, equal_nan=True)
    assert np.array_equal(first.q, same.q, equal_nan=True)
    assert not np.array_equal(first.q, other.q, equal_nan=True)


def test_hot_spot_trends_gives_a_pattern_and_a_yearly_table_per_territory():
    territories = square_grid(8)
    counts = starts(8, 10, hot_from=0)
    codes = np.repeat(territories["code"].to_numpy(), counts.sum(axis=1).astype(int))
    years = np.concatenate([np.repeat(np.arange(2017, 2027), row.astype(int)) for row in counts])
    initiatives = pd.DataFrame(
        {"territory": codes, "start_date": pd.to_datetime([f"{y}-06-01" for y in years])}
    )

    summary, yearly = trends.hot_spot_trends(
        territories, initiatives, range(2017, 2027), permutations=999, seed=1
    )

    assert summary.loc["r1c1", "pattern"] in {"persistent_hot_spot", "intensifying_hot_spot"}
    assert summary.loc["r1c1", "hot_years"] == list(range(2017, 2027))
    assert summary.loc["r1c1", "cold_years"] == []
    assert len(yearly) == 64 * 10
    assert yearly.loc[("r1c1", 2020), "started"] == 8
    assert yearly["started"].sum() == len(initiatives)
    far = summary.loc["r7c7"]
    assert far["pattern"] == "no_pattern"


def test_a_year_without_any_start_has_no_statistic():
    territories = square_grid(4)
    counts = np.ones((16, 3))
    counts[:, 1] = 0
    counts[0, 0] = 5

    spots = trends.yearly_hot_spots(territories, counts, permutations=99)

    assert np.isnan(spots.z[:, 1]).all()
    assert (spots.states[:, 1] == 0).all()


def test_a_neighbourhood_where_nothing_started_is_not_a_cold_spot_made_of_ties():
    territories = square_grid(4)
    y = np.zeros(16)
    y[[0, 1]] = [5, 1]  # the far corner r3c3 and its neighbours: nothing
    w = trends.clusters.queen_weights(territories)

    z, p = trends.gi_star_two_sided(y, w, permutations=99, seed=0)

    assert z[15] < 0
    assert p[15] == 1.0  # most simulated neighbourhoods are all zero too: a tie, not a tail
    esda_directed = trends.clusters._gi_star(y, w, 99, 0)["p"].to_numpy()
    assert esda_directed[15] == pytest.approx(
        2 / 100
    )  # strict "<" in the lower tail: ties read as extreme


def test_without_permutations_p_comes_from_the_normal_distribution_of_z():
    territories = square_grid(4)
    y = np.arange(16, dtype=float)
    w = trends.clusters.queen_weights(territories)

    z, p = trends.gi_star_two_sided(y, w, permutations=0, seed=0)

    assert p == pytest.approx(2 * norm_sf(np.abs(z)))


def norm_sf(x):
    return np.array([erfc(v / sqrt(2)) / 2 for v in x])
