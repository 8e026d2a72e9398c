import threading

import geopandas as gpd
import numpy as np
import pytest
import shapely
from esda import G_Local
from libpysal import weights

from radar.analysis import clusters
from radar.analysis.randomness import DEFAULT_SEED


def square_grid(size: int, side: float = 1000.0) -> gpd.GeoDataFrame:
    """size x size squares, code "r{row}c{col}", row-major."""
    rows, cols = np.divmod(np.arange(size * size), size)
    return gpd.GeoDataFrame(
        {"code": [f"r{r}c{c}" for r, c in zip(rows, cols, strict=True)]},
        geometry=shapely.box(cols * side, rows * side, (cols + 1) * side, (rows + 1) * side),
        crs=2154,
    )


def hot_corner_rates(size: int = 8) -> np.ndarray:
    """Rate 10 in the 3x3 lower-left corner, 1 elsewhere (with a little noise)."""
    rows, cols = np.divmod(np.arange(size * size), size)
    noise = np.random.default_rng(3).uniform(0, 0.2, size * size)
    return np.where((rows < 3) & (cols < 3), 10.0, 1.0) + noise


def test_queen_weights_match_libpysal_queen_contiguity():
    territories = square_grid(5)
    ours = clusters.queen_weights(territories)
    reference = weights.Queen.from_dataframe(territories, use_index=False)
    assert {i: sorted(n) for i, n in ours.neighbors.items()} == {
        i: sorted(n) for i, n in reference.neighbors.items()
    }
    assert ours.cardinalities[0] == 3 and ours.cardinalities[12] == 8  # corner, centre


def test_benjamini_hochberg_matches_hand_computation():
    # sorted 0.01, 0.03, 0.04, 0.2 -> p*m/rank 0.04, 0.06, 0.0533, 0.2 -> running minimum
    q = clusters.benjamini_hochberg([0.01, 0.04, 0.03, 0.2])
    assert q.tolist() == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])


def test_fdr_q_values_are_at_least_p_and_monotone_in_p_and_untested_stay_nan():
    p = np.random.default_rng(0).uniform(size=200)
    p[[5, 17]] = np.nan
    q = clusters.benjamini_hochberg(p)
    tested = ~np.isnan(p)
    assert np.isnan(q[[5, 17]]).all()
    assert (q[tested] >= p[tested]).all()
    order = np.argsort(p[tested])
    assert (np.diff(q[tested][order]) >= 0).all()


def test_hot_corner_is_labelled_high_and_nothing_in_it_is_low():
    territories = square_grid(8)
    result = clusters.rate_clusters(territories, hot_corner_rates(), permutations=999, seed=1)
    assert result.loc["r1c1", "label"] == "high"  # the centre of the hot block
    assert result.loc["r1c1", "z"] > 0
    corner = [f"r{r}c{c}" for r in range(3) for c in range(3)]
    assert "low" not in set(result.loc[corner, "label"])
    assert set(result["label"]) <= {"high", "low", "not significant"}


def test_cold_corner_is_labelled_low():
    territories = square_grid(8)
    result = clusters.rate_clusters(territories, 11 - hot_corner_rates(), permutations=999, seed=1)
    assert result.loc["r1c1", "label"] == "low"
    assert result.loc["r1c1", "z"] < 0


def test_p_is_the_doubled_one_sided_esda_pseudo_p_value():
    territories = square_grid(5)
    rates = hot_corner_rates(5)
    result = clusters.rate_clusters(territories, rates, permutations=199, seed=7)

    w = weights.fill_diagonal(weights.Queen.from_dataframe(territories, use_index=False), 1.0)
    esda = G_Local(
        rates,
        w,
        transform="B",
        star=True,
        permutations=199,
        seed=7,
        keep_simulations=False,
        n_jobs=1,
        alternative="directed",
    )

    assert result["p"].to_numpy() == pytest.approx(np.minimum(1, 2 * esda.p_sim))
    assert result["gi_star"].to_numpy() == pytest.approx(esda.Gs)
    assert (result["q"] >= result["p"]).all()


def test_same_seed_gives_the_same_answer():
    territories, rates = square_grid(6), hot_corner_rates(6)
    first = clusters.rate_clusters(territories, rates, permutations=99, seed=5)
    second = clusters.rate_clusters(territories, rates, permutations=99, seed=5)
    assert first.equals(second)


def test_the_default_seed_is_fixed_and_another_seed_is_honoured():
    territories, rates = square_grid(6), hot_corner_rates(6)
    first = clusters.rate_clusters(territories, rates, permutations=99)
    assert first.equals(clusters.rate_clusters(territories, rates, permutations=99))
    assert first.equals(
        clusters.rate_clusters(territories, rates, permutations=99, seed=DEFAULT_SEED)
    )
    other = clusters.rate_clusters(territories, rates, permutations=99, seed=DEFAULT_SEED + 1)
    assert not np.array_equal(first["p"].to_numpy(), other["p"].to_numpy())


def test_concurrent_computations_give_the_seeded_answer_and_leave_numpy_alone():
    # esda draws its permutations from NumPy's global generator: two threads (the background
    # recomputations) would interleave their draws and change each other's p-values.
    territories, rates = square_grid(7), hot_corner_rates(7)
    other_rates = rates[::-1].copy()
    expected = [
        clusters.rate_clusters(territories, r, permutations=499) for r in (rates, other_rates)
    ]
    np.random.seed(1)
    state = np.random.get_state()[1].copy()
    results = [[None, None] for _ in range(3)]

    def compute(slot, which):
        data = rates if which == 0 else other_rates
        results[slot][which] = clusters.rate_clusters(territories, data, permutations=499)

    threads = [
        threading.Thread(target=compute, args=(slot, which))
        for slot in range(3)
        for which in (0, 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for pair in results:
        assert pair[0].equals(expected[0])
        assert pair[1].equals(expected[1])
    assert (np.random.get_state()[1] == state).all()  # the global generator was not reseeded


def test_unknown_rates_are_not_tested():
    rates = hot_corner_rates(5)
    rates[[0, 12]] = np.nan
    result = clusters.rate_clusters(square_grid(5), rates, permutations=99, seed=0)
    assert result.iloc[[0, 12]]["p"].isna().all()
    assert (result.iloc[[0, 12]]["label"] == "not significant").all()
    assert result.drop(result.index[[0, 12]])["p"].notna().all()


def island_grid() -> gpd.GeoDataFrame:
    territories = square_grid(4)
    island = gpd.GeoDataFrame(
        {"code": ["island"]}, geometry=[shapely.box(10_000, 0, 11_000, 1000)], crs=2154
    )
    return gpd.GeoDataFrame(gpd.pd.concat([territories, island], ignore_index=True), crs=2154)


def test_island_is_attached_to_its_nearest_territory_by_default():
    rates = np.append(hot_corner_rates(4), 5.0)
    result = clusters.rate_clusters(island_grid(), rates, permutations=99, seed=0)
    assert result.loc["island", "neighbours"] == 1
    assert np.isfinite(result.loc["island", "p"])


def test_island_left_alone_is_reported_untested():
    rates = np.append(hot_corner_rates(4), 5.0)
    result = clusters.rate_clusters(
        island_grid(), rates, permutations=99, seed=0, attach_islands=False
    )
    assert result.loc["island", "neighbours"] == 0
    assert np.isnan(result.loc["island", "p"])
    assert result.loc["island", "label"] == "not significant"
    assert result.drop("island")["p"].notna().all()


def test_all_zero_rates_give_no_cluster_rather_than_an_error():
    result = clusters.rate_clusters(square_grid(3), np.zeros(9), permutations=99)
    assert (result["label"] == "not significant").all()
    assert result["p"].isna().all()
