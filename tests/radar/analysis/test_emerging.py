"""Prospective space-time permutation scan: SaTScan's published output, hand-computed cases,
and a literal reimplementation of SaTScan's loops as reference."""

import csv
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from radar.analysis.emerging import (
    EARTH_RADIUS_KM,
    ScanParams,
    aligned_start,
    interval_starts,
    recurrence_interval_days,
    space_time_permutation_scan,
    to_cartesian,
)
from radar.analysis.randomness import DEFAULT_SEED

DATA = Path(__file__).resolve().parent.parent / "data"
END = date(2024, 3, 10)


def scan(rows, **params):
    """rows: (location_id, lon, lat, date, count) tuples."""
    ids, lon, lat, dates, counts = zip(*rows, strict=True) if rows else ((),) * 5
    params.setdefault("end", END)
    params.setdefault("max_radius_km", 50.0)
    params.setdefault("replications", 0)
    return space_time_permutation_scan(
        location_ids=list(ids),
        lon=list(lon),
        lat=list(lat),
        dates=list(dates),
        counts=list(counts),
        params=ScanParams(**params),
    )


def day(n):
    """n days before END (0 is END)."""
    return END - timedelta(days=n)


def llr(n, mu, total):
    rest = total - n
    return n * math.log(n / mu) + (rest * math.log(rest / (total - mu)) if rest else 0.0)


# --------------------------------------------------------------------------- SaTScan's own output


def nyc_fever():
    with open(DATA / "nycfever.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (
            r["location_id"],
            float(r["lon"]),
            float(r["lat"]),
            date.fromisoformat(r["date"]),
            int(r["count"]),
        )
        for r in rows
    ]


def test_nyc_fever_reproduces_satscan_published_clusters():
    """SaTScan 9.4.4 on its NYCfever sample: prospective, 50% of cases, 50% of the 24-day study
    period (12 days), end 2001/11/24 -- as printed in its results file."""
    clusters = scan(
        nyc_fever(),
        end=date(2001, 11, 24),
        start=date(2001, 11, 1),
        max_radius_km=1e6,
        max_length=12,
        replications=999,
        seed=20011124,
    )
    assert len(clusters) == 3
    first, second, third = clusters
    assert first.location_ids == (
        "11418",
        "11415",
        "11419",
        "11435",
        "11416",
        "11421",
        "11451",
        "11375",
        "11417",
    )
    assert first.center == (-73.83176, 40.69924)
    assert round(first.radius_km, 2) == 2.90
    assert (first.start, first.end) == (date(2001, 11, 22), date(2001, 11, 24))
    assert first.observed == 4
    assert round(first.expected, 2) == 0.67
    assert first.llr == pytest.approx(3.845418, abs=1e-5)
    assert second.location_ids == ("11372",)
    assert second.radius_km == 0.0
    assert (second.start, second.observed) == (date(2001, 11, 24), 2)
    assert round(second.expected, 2) == 0.16
    assert second.llr == pytest.approx(3.164201, abs=1e-5)
    assert third.location_ids == (
        "10464",
        "10475",
        "10465",
        "10469",
        "10461",
        "10466",
        "10462",
        "10467",
        "11024",
        "10472",
    )
    assert round(third.radius_km, 2) == 6.98
    assert (third.start, third.observed, round(third.expected, 2)) == (date(2001, 11, 23), 5, 1.66)
    assert third.llr == pytest.approx(2.192250, abs=1e-5)
    # SaTScan printed 0.355, 0.709 and 0.979 after 141 replications (sequential Monte Carlo).
    for cluster, satscan_p in zip(clusters, (0.355, 0.709, 0.979), strict=True):
        assert abs(cluster.p_value - satscan_p) < 0.1
    assert round(first.recurrence_interval_days) == round(1 / first.p_value)


def test_nyc_fever_with_3_km_and_7_days_reproduces_satscan_clusters():
    """SaTScan 10.1.2 on the same sample with the user guide's settings (3 km, 7 days)."""
    clusters = scan(
        nyc_fever(),
        end=date(2001, 11, 24),
        start=date(2001, 11, 1),
        max_radius_km=3,
        max_length=7,
    )
    summary = [(c.location_ids[0], len(c.location_ids), c.start, c.observed) for c in clusters[:3]]
    assert summary == [
        ("11418", 9, date(2001, 11, 22), 4),
        ("11372", 1, date(2001, 11, 24), 2),
        ("10472", 1, date(2001, 11, 23), 2),
    ]
    # Printed to two decimals by SaTScan (2 / 0.165 = 12.125 exactly, printed 12.13).
    printed = zip(clusters, (0.67, 0.16, 0.29), (5.97, 12.13, 6.81), strict=False)
    for cluster, expected, ratio in printed:
        assert cluster.expected == pytest.approx(expected, abs=0.005)
        assert cluster.observed / cluster.expected == pytest.approx(ratio, abs=0.0051)


# --------------------------------------------------------------------------- hand-computed


def far_apart(n):
    """n locations on the equator, 1 degree (111 km) apart: no circle joins two of them."""
    return [(f"L{i}", float(i), 0.0) for i in range(n)]


def test_counts_expectation_and_ratio_are_computed_by_hand():
    a, b, c = far_apart(3)
    rows = [
        (*a, day(0), 2),
        (*a, day(1), 1),
        (*a, day(5), 1),
        (*b, day(0), 1),
        (*b, day(3), 2),
        (*b, day(6), 1),
        (*c, day(2), 1),
        (*c, day(4), 3),
    ]
    (cluster,) = scan(rows, max_length=3, max_share=1.0)
    # Each place has 4 of the 12 cases. The last day holds 3 cases (A has 2: ratio 0.43), the
    # last two days 4 (A has 3: ratio 0.90), the last three 5 (A has 3: ratio 0.52).
    assert cluster.location_ids == ("L0",)
    assert (cluster.start, cluster.end) == (day(1), END)
    assert cluster.observed == 3
    assert cluster.expected == pytest.approx(4 * 4 / 12)
    assert cluster.llr == pytest.approx(3 * math.log(3 / (4 / 3)) + 9 * math.log(9 / (12 - 4 / 3)))
    assert cluster.llr == pytest.approx(0.904, abs=1e-3)
    assert cluster.radius_km == 0.0


def test_cases_before_the_longest_window_still_count_in_the_margins():
    a, b = far_apart(2)
    recent = [(*a, day(0), 2), (*b, day(0), 1), (*b, day(1), 1)]
    (without_history,) = scan(recent, max_length=1, max_share=1.0)
    (with_history,) = scan([*recent, (*b, day(30), 6)], max_length=1, max_share=1.0)
    assert without_history.expected == pytest.approx(2 * 3 / 4)
    assert with_history.expected == pytest.approx(2 * 3 / 10)
    assert with_history.llr == pytest.approx(llr(2, 0.6, 10))


def test_cases_after_the_end_date_are_ignored():
    a, b = far_apart(2)
    rows = [(*a, day(0), 2), (*b, day(1), 2), (*b, day(2), 1)]
    before = scan(rows, max_length=1, max_share=1.0)
    after = scan([*rows, (*b, day(-1), 50)], max_length=1, max_share=1.0)
    assert after == before


def test_cases_before_the_study_start_are_left_out():
    a, b = far_apart(2)
    rows = [(*a, day(0), 2), (*b, day(1), 2), (*b, day(2), 1)]
    (cluster,) = scan([*rows, (*b, day(20), 40)], max_length=1, max_share=1.0, start=day(2))
    assert cluster.expected == pytest.approx(2 * 2 / 5)


def test_every_window_ends_on_the_end_date():
    a, b = far_apart(2)
    rows = [(*a, day(3), 3), (*b, day(0), 1), (*b, day(5), 2), (*b, day(8), 2)]
    clusters = scan(rows, max_length=6, max_share=1.0)
    assert clusters and all(c.end == END for c in clusters)
    (cluster,) = clusters
    assert (cluster.location_ids, cluster.start, cluster.observed) == (("L0",), day(3), 3)
    assert cluster.expected == pytest.approx(3 * 4 / 8)


def test_quiet_last_days_leave_only_longer_windows():
    a, b = far_apart(2)
    rows = [(*a, day(3), 3), (*b, day(6), 2), (*b, day(9), 3)]
    (cluster,) = scan(rows, max_length=5, max_share=1.0, replications=19, seed=1)
    assert (cluster.start, cluster.observed) == (day(3), 3)
    assert cluster.expected == pytest.approx(3 * 3 / 8)
    assert 0 < cluster.p_value <= 1


def test_points_sharing_coordinates_are_one_location():
    a, b, _ = far_apart(3)
    twin = ("twin", a[1], a[2])
    rows = [(*a, day(0), 1), (*twin, day(0), 1), (*b, day(1), 2), (*b, day(2), 2)]
    (cluster,) = scan(rows, max_length=1, max_share=1.0)
    assert cluster.location_ids == ("L0", "twin")
    assert (cluster.observed, cluster.expected) == (2, pytest.approx(2 * 2 / 6))
    assert cluster.radius_km == 0.0


def test_location_without_cases_is_a_member_of_circles():
    # E sits between A and B; A and B each have a recent case, E only declares itself.
    rows = [
        ("A", 0.0, 0.0, day(0), 1),
        ("E", 0.01, 0.0, day(0), 0),
        ("B", 0.02, 0.0, day(0), 1),
        ("Z", 5.0, 0.0, day(4), 4),
        ("Z", 5.0, 0.0, day(0), 0),
    ]
    (cluster,) = scan(rows, max_length=1, max_radius_km=5.0, max_share=1.0)
    # Centred on A or on E the circle holds the same cases: the tie goes to the first location
    # by id, as in SaTScan.
    assert cluster.location_ids == ("A", "E", "B")
    assert (cluster.observed, cluster.expected) == (2, pytest.approx(2 * 2 / 6))


def test_location_without_cases_can_be_a_centre():
    rows = [
        ("A", 0.0, 0.0, day(0), 1),
        ("B", 0.02, 0.0, day(0), 1),
        ("E", 0.01, 0.0, day(9), 0),
        ("Z", 5.0, 0.0, day(4), 4),
    ]
    (cluster,) = scan(rows, max_length=1, max_radius_km=2.0, max_share=1.0)
    assert cluster.center == (0.01, 0.0)  # only E reaches both A and B within 2 km


def test_minimum_number_of_cases_is_two_by_default():
    a, b = far_apart(2)
    rows = [(*a, day(0), 1), (*b, day(2), 5)]
    assert scan(rows, max_length=1, max_share=1.0) == []
    (cluster,) = scan(rows, max_length=1, max_share=1.0, min_cases=1)
    assert (cluster.observed, cluster.expected) == (1, pytest.approx(1 / 6))
    assert cluster.llr == pytest.approx(math.log(6) + 5 * math.log(5 / (6 - 1 / 6)))


def test_location_exactly_at_the_maximum_radius_is_in_the_circle():
    rows = [("A", 0.0, 0.0, day(0), 1), ("B", 0.05, 0.0, day(0), 1), ("Z", 3.0, 0.0, day(5), 6)]
    xyz = to_cartesian(np.array([0.0, 0.05]), np.array([0.0, 0.0]))
    chord = float(np.sqrt(((xyz[0] - xyz[1]) ** 2).sum()))
    (cluster,) = scan(rows, max_length=1, max_radius_km=chord, max_share=1.0)
    assert cluster.location_ids == ("A", "B")
    assert cluster.radius_km == chord
    # Chord on SaTScan's 6367 km sphere, a hair under the great-circle distance.
    assert chord == pytest.approx(2 * EARTH_RADIUS_KM * math.sin(math.radians(0.05) / 2))
    assert scan(rows, max_length=1, max_radius_km=chord * (1 - 1e-9), max_share=1.0) == []


def test_circle_stops_at_the_first_location_exceeding_the_share_of_cases():
    # From A: B (3 cases) then C (1 case). 50% of 12 cases is 6: A+B = 5 fits, C would make 6,
    # which still fits (at most the share); D (6 more) would exceed it.
    rows = [
        ("A", 0.0, 0.0, day(0), 2),
        ("B", 0.01, 0.0, day(0), 3),
        ("C", 0.02, 0.0, day(0), 1),
        ("D", 0.03, 0.0, day(9), 6),
    ]
    clusters = scan(rows, max_length=1, max_radius_km=10)
    assert clusters[0].location_ids == ("A", "B", "C")
    assert clusters[0].observed == 6
    tighter = scan(rows, max_length=1, max_radius_km=10, max_share=0.45)
    assert all(sum(1 for i in c.location_ids if i in "ABC") < 3 for c in tighter)


def test_ties_in_distance_go_to_the_smaller_cartesian_coordinates():
    # N and S are exactly as far from C; S has the smaller z, so it joins C's circle first and
    # the share cap (2 of 4 cases) leaves N out.
    rows = [
        ("C", 0.0, 0.0, day(0), 1),
        ("N", 0.0, 0.01, day(0), 1),
        ("S", 0.0, -0.01, day(0), 1),
        ("Z", 10.0, 0.0, day(5), 1),
    ]
    (cluster, *_) = scan(rows, max_length=1, max_radius_km=10)
    assert cluster.location_ids == ("C", "S")
    assert cluster.llr == pytest.approx(llr(2, 1.5, 4))


def test_secondary_clusters_share_no_location():
    rng = np.random.default_rng(7)
    rows = random_rows(rng, n_locations=40, n_cases=300, spread=0.3)
    clusters = scan(rows, max_length=5, max_radius_km=15)
    seen = set()
    for cluster in clusters:
        assert seen.isdisjoint(cluster.location_ids)
        seen.update(cluster.location_ids)
    assert len(clusters) >= 2


def edge_tie_rows():
    """A location on a circle's edge, left out of it, holding the next cluster.

    On the equator, C (west) and B (east) are exactly as far from A, where two ids sit (A2
    without cases). C has the smaller y and joins A's circle first; B would take the circle
    past 25 % of the cases, so the most likely cluster is {A, A2, C} and B lies on its edge.
    B's own circle is B alone (A would take it past the share too): a secondary cluster
    sharing no location with the first. E declares a location without cases, the Fs are
    far away with old cases.
    """
    return [
        ("A", 0.0, 0.0, day(0), 3),
        ("A", 0.0, 0.0, day(5), 1),
        ("A2", 0.0, 0.0, day(0), 0),
        ("C", -0.01, 0.0, day(0), 2),
        ("B", 0.01, 0.0, day(0), 2),
        ("B", 0.01, 0.0, day(6), 3),
        ("E", 0.5, 0.0, day(0), 0),
        *[(f"F{k}", float(k), 0.0, day(3 + k), 4) for k in range(1, 6)],
    ]


EDGE_SETTINGS = dict(max_radius_km=5.0, max_length=3, max_share=0.25)


@pytest.mark.parametrize("replications", [0, 199])
def test_a_location_on_the_edge_of_a_kept_circle_blocks_a_secondary_cluster(replications):
    # SaTScan (MostLikelyClustersContainer.cpp): centres as far apart as the radii add up (not
    # farther), neither centre strictly inside the other circle, so it tests the locations of
    # the cluster with fewer ids ({B}: 1 id against 3) against the other's radius: B is exactly
    # at that radius, hence overlap and no secondary cluster. Sharing no location, the looser
    # rule would keep it.
    rows = edge_tie_rows()
    geometric = scan(rows, **EDGE_SETTINGS, replications=replications)
    shared = scan(rows, **EDGE_SETTINGS, replications=replications, overlap="shared-location")
    assert [c.location_ids for c in geometric] == [("A", "A2", "C")]
    assert [c.location_ids for c in shared] == [("A", "A2", "C"), ("B",)]
    (first,) = geometric
    assert (first.observed, first.expected) == (5, pytest.approx(6 * 7 / 31))
    assert first.llr == pytest.approx(llr(5, 6 * 7 / 31, 31))
    assert first.radius_km == shared[1].radius_km + float(
        np.sqrt(((to_cartesian(np.array([0.0]), np.array([0.0]))
                  - to_cartesian(np.array([0.01]), np.array([0.0]))) ** 2).sum())
    )  # fmt: skip
    assert shared[1].llr == pytest.approx(llr(2, 5 * 7 / 31, 31))
    if replications:
        assert first.p_value == shared[0].p_value  # same replications whatever the rule
        assert shared[1].p_value < 1  # reported: the looser rule really differs here


def test_the_blocked_slot_goes_to_the_next_cluster_that_does_not_overlap():
    # The situation of SaTScan's report on an input with two ids at one coordinate and
    # locations without cases: the cluster our former rule listed next (on the edge of a kept
    # circle) is not there, the following one takes its place.
    rows = [
        *edge_tie_rows(),
        ("G1", 3.0, 1.0, day(0), 2),
        ("G2", 3.01, 1.0, day(1), 1),
        ("G3", 3.02, 1.0, day(8), 3),
    ]
    settings = {**EDGE_SETTINGS, "max_share": 0.2}
    geometric = scan(rows, **settings)
    shared = scan(rows, **settings, overlap="shared-location")
    assert ("B",) in [c.location_ids for c in shared]
    assert [c.location_ids for c in geometric] == [
        c.location_ids for c in shared if c.location_ids != ("B",)
    ]
    assert len(geometric) >= 2


@pytest.mark.parametrize(("ids_at_x", "blocked"), [(1, True), (2, True), (3, False)])
def test_satscan_tests_the_locations_of_the_cluster_with_fewer_ids(ids_at_x, blocked):
    # X (ids X, X1, ...) is the most likely cluster, alone, radius 0. D's circle is {D, Y}:
    # Y (west) and X (east) are exactly as far from D, Y joins first and X would pass the
    # share. X lies on that circle's edge, D and Y are far outside X's zero radius. SaTScan
    # tests the locations of the cluster with fewer ids (the kept one on a tie) against the
    # other's radius: X's location against D's circle (overlap) while X has at most 2 ids, D's
    # and Y's against X's radius (no overlap) once X has 3. Blocked, the same locations come
    # back centred on Y, whose circle does not reach X.
    rows = [
        ("X", 0.01, 0.0, day(0), 4),
        ("X", 0.01, 0.0, day(6), 1),
        *[(f"X{k}", 0.01, 0.0, day(0), 0) for k in range(1, ids_at_x)],
        ("D", 0.0, 0.0, day(0), 2),
        ("D", 0.0, 0.0, day(5), 1),
        ("Y", -0.01, 0.0, day(0), 1),
        ("Y", -0.01, 0.0, day(7), 1),
        *[(f"F{k}", float(k), 0.0, day(3 + k), 4) for k in range(1, 6)],
    ]
    settings = dict(max_radius_km=5.0, max_length=2, max_share=0.25)
    found = [(c.center, set(c.location_ids)) for c in scan(rows, **settings)]
    shared = [
        (c.center, set(c.location_ids)) for c in scan(rows, **settings, overlap="shared-location")
    ]
    x = {"X", *(f"X{k}" for k in range(1, ids_at_x))}
    assert shared == [((0.01, 0.0), x), ((0.0, 0.0), {"D", "Y"})]
    assert found == [((0.01, 0.0), x), ((-0.01, 0.0) if blocked else (0.0, 0.0), {"D", "Y"})]


def test_shared_location_rule_is_named_and_others_refused():
    with pytest.raises(ValueError, match="overlap"):
        ScanParams(end=END, max_radius_km=1, overlap="none")


def test_seed_makes_p_values_reproducible_and_workers_do_not_change_them():
    rng = np.random.default_rng(3)
    rows = random_rows(rng, n_locations=30, n_cases=200, spread=0.3)
    one = scan(rows, max_length=5, max_radius_km=15, replications=49, seed=11)
    again = scan(rows, max_length=5, max_radius_km=15, replications=49, seed=11, n_jobs=2)
    other = scan(rows, max_length=5, max_radius_km=15, replications=49, seed=12)
    assert [c.p_value for c in one] == [c.p_value for c in again]
    assert [c.p_value for c in one] != [c.p_value for c in other]
    assert all(c.p_value in {k / 50 for k in range(1, 51)} for c in one)


def test_the_default_seed_is_fixed_and_none_asks_for_fresh_draws():
    rng = np.random.default_rng(3)
    rows = random_rows(rng, n_locations=30, n_cases=200, spread=0.3)
    settings = dict(max_length=5, max_radius_km=15, replications=49)
    assert ScanParams(end=END, max_radius_km=1).seed == DEFAULT_SEED
    one, again = scan(rows, **settings), scan(rows, **settings)
    assert [c.as_dict() for c in one] == [c.as_dict() for c in again]
    seeded = scan(rows, **settings, seed=DEFAULT_SEED)
    assert [c.p_value for c in one] == [c.p_value for c in seeded]
    fresh = {tuple(c.p_value for c in scan(rows, **settings, seed=None)) for _ in range(4)}
    assert len(fresh) > 1
    with pytest.raises(ValueError, match="seed"):
        ScanParams(end=END, max_radius_km=1, seed=-1)


def test_planted_cluster_is_found():
    rng = np.random.default_rng(5)
    rows = random_rows(rng, n_locations=60, n_cases=400, spread=0.5)
    hot = ("hot", 0.25, 45.25)
    rows += [(*hot, day(int(d)), 1) for d in rng.integers(0, 20, 5)]  # a quiet place...
    rows += [(*hot, day(int(d)), 1) for d in rng.integers(0, 2, 8)]  # ...that wakes up
    (first, *_) = scan(rows, max_length=7, max_radius_km=5, replications=199, seed=2)
    assert "hot" in first.location_ids
    assert first.p_value < 0.05
    assert first.recurrence_interval_days == pytest.approx(1 / first.p_value)


# --------------------------------------------------------------------------- time units


def test_months_are_laid_back_from_the_end_date():
    assert interval_starts(date(2024, 6, 30), "month", date(2024, 3, 1)) == [
        date(2024, 3, 1),
        date(2024, 4, 1),
        date(2024, 5, 1),
        date(2024, 6, 1),
        date(2024, 7, 1),
    ]
    assert interval_starts(date(2024, 6, 15), "month", date(2024, 4, 16)) == [
        date(2024, 4, 16),
        date(2024, 5, 16),
        date(2024, 6, 16),
    ]
    # Ending on the 30th of a 31-day month: intervals hug the 31st, or the 1st when missing.
    assert interval_starts(date(2024, 1, 30), "month", date(2023, 10, 31))[1:] == [
        date(2023, 12, 1),
        date(2023, 12, 31),
        date(2024, 1, 31),
    ]


def test_partial_first_interval_is_merged_into_the_next():
    assert interval_starts(date(2024, 6, 30), "month", date(2024, 3, 20)) == [
        date(2024, 3, 20),
        date(2024, 5, 1),
        date(2024, 6, 1),
        date(2024, 7, 1),
    ]


def test_study_starts_by_default_with_the_interval_of_the_earliest_case():
    assert aligned_start(date(2024, 6, 30), "month", date(2024, 3, 20)) == date(2024, 3, 1)
    assert aligned_start(date(2024, 6, 15), "month", date(2024, 3, 16)) == date(2024, 3, 16)
    assert aligned_start(date(2024, 6, 15), "month", date(2024, 3, 15)) == date(2024, 2, 16)
    assert aligned_start(date(2024, 6, 30), "day", date(2024, 3, 20)) == date(2024, 3, 20)


def test_monthly_windows_and_recurrence_interval():
    a, b = far_apart(2)
    rows = [
        (*a, date(2024, 6, 3), 2),
        (*a, date(2024, 6, 28), 1),
        (*b, date(2024, 4, 9), 2),
        (*b, date(2024, 5, 9), 2),
    ]
    (cluster,) = scan(rows, end=date(2024, 6, 30), time_unit="month", max_length=2, max_share=1.0)
    assert (cluster.start, cluster.observed) == (date(2024, 6, 1), 3)
    assert cluster.expected == pytest.approx(3 * 3 / 7)
    assert recurrence_interval_days(0.5, "month") == pytest.approx(2 * 365.25 / 12)
    assert recurrence_interval_days(0.5, "day") == 2.0
    assert recurrence_interval_days(1.0, "day") == 1.0


# --------------------------------------------------------------------------- reference


def random_rows(rng, n_locations, n_cases, spread, days=20, zero_share=0.1):
    lon = np.round(rng.uniform(0, spread, n_locations), 3)
    lat = np.round(rng.uniform(45, 45 + spread, n_locations), 3)
    rows = []
    weights = rng.dirichlet(np.ones(n_locations))
    for i in rng.choice(n_locations, n_cases, p=weights):
        rows.append((f"P{i}", float(lon[i]), float(lat[i]), day(int(rng.integers(0, days))), 1))
    for i in range(n_locations):
        if rng.random() < zero_share:
            rows.append((f"P{i}", float(lon[i]), float(lat[i]), day(0), 0))
    return rows


def reference_scan(rows, max_radius_km, max_length, max_share, min_cases):
    """SaTScan's loops, written out: every centre, neighbours one by one, every window."""
    coords = {}
    for loc, lon, lat, _, _ in rows:
        coords.setdefault((lon, lat), set()).add(loc)
    locations = sorted((sorted(ids), key) for key, ids in coords.items())
    index = {key: i for i, (_, key) in enumerate(locations)}
    xyz = to_cartesian(
        np.array([k[0] for _, k in locations]), np.array([k[1] for _, k in locations])
    )
    total_at = [0] * len(locations)
    recent_at = [[0] * max_length for _ in locations]
    per_day = [0] * max_length
    for _, lon, lat, when, count in rows:
        i = index[(lon, lat)]
        total_at[i] += count
        age = (END - when).days
        if age < max_length:
            per_day[age] += count
            recent_at[i][age] += count
    total = sum(total_at)
    best = []
    for c in range(len(locations)):
        order = sorted(
            range(len(locations)),
            key=lambda j: (float(np.sqrt(((xyz[c] - xyz[j]) ** 2).sum())), *xyz[j]),
        )
        members, cases, top = [], 0, None
        for j in order:
            dist = float(np.sqrt(((xyz[c] - xyz[j]) ** 2).sum()))
            if dist > max_radius_km or cases + total_at[j] > max_share * total:
                break
            members.append(j)
            cases += total_at[j]
            for w in range(1, max_length + 1):
                n = sum(sum(recent_at[m][:w]) for m in members)
                mu = cases * sum(per_day[:w]) / total
                if n >= min_cases and n > mu and (top is None or llr(n, mu, total) > top[0]):
                    top = (llr(n, mu, total), len(members), c, list(members), w, n, mu, dist)
        if top:
            best.append(top)
    ids_in = [sum(len(locations[m][0]) for m in t[3]) for t in best]
    best = [(*t[:1], n_ids, *t[2:]) for t, n_ids in zip(best, ids_in, strict=True)]
    best.sort(key=lambda t: (-t[0], t[1], t[2]))
    # Ratios tied within 1e-9 are ordered by ids, then centre.
    ranked = []
    for top in best:
        run = ranked[-1] if ranked and abs(ranked[-1][0][0] - top[0]) < 1e-9 else None
        run.append(top) if run is not None else ranked.append([top])
    best = [t for run in ranked for t in sorted(run, key=lambda t: (t[1], t[2]))]
    kept = []
    for top in best:
        if not any(satscan_overlap(xyz, k, top) for k in kept):
            kept.append(top)
    return [
        (tuple(i for m in t[3] for i in locations[m][0]), day(t[4] - 1), t[5], t[6], t[0])
        for t in kept
        if t is kept[0] or t[0] >= 0.001
    ][:10]


def satscan_overlap(xyz, one, two):
    """HasAnyTractsInCommon of SaTScan 10.3.2 for two circles (one: the kept cluster), written
    out: (ratio, ids, centre, members, window, n, mu, radius) tuples."""
    tolerance = 1e-9
    r1, r2 = one[7], two[7]
    apart = float(np.sqrt(((xyz[one[2]] - xyz[two[2]]) ** 2).sum()))
    if abs(apart - (r1 + r2)) > tolerance and apart > r1 + r2:
        return False
    if (abs(apart - r1) > tolerance and apart <= r1) or (
        abs(apart - r2) > tolerance and apart <= r2
    ):
        return True
    test, other = (one, two) if one[1] <= two[1] else (two, one)
    for m in test[3]:
        distance = float(np.sqrt(((xyz[other[2]] - xyz[m]) ** 2).sum()))
        less = abs(other[7] - distance) >= tolerance and other[7] < distance
        if not less:
            return True
    return False


@pytest.mark.parametrize("seed", range(6))
def test_matches_a_literal_reimplementation_of_satscan_loops(seed):
    rng = np.random.default_rng(100 + seed)
    rows = random_rows(rng, n_locations=25, n_cases=int(rng.integers(60, 200)), spread=0.4)
    if seed % 2:  # duplicated coordinates under another id
        rows += [("twin", rows[0][1], rows[0][2], day(1), 2)]
    settings = dict(
        max_radius_km=float(rng.choice([5, 12, 40])),
        max_length=int(rng.integers(1, 8)),
        max_share=float(rng.choice([0.5, 0.2])),
        min_cases=int(rng.choice([1, 2, 3])),
    )
    expected = reference_scan(rows, **settings)
    got = [(c.location_ids, c.start, c.observed, c.expected, c.llr) for c in scan(rows, **settings)]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[:3] == e[:3]
        assert g[3] == pytest.approx(e[3], rel=1e-12)
        assert g[4] == pytest.approx(e[4], rel=1e-12)


# --------------------------------------------------------------------------- calibration


@pytest.mark.slow
def test_false_alarm_rate_under_the_null_is_about_five_percent():
    alarms = 0
    runs = 200
    for seed in range(runs):
        rng = np.random.default_rng(1000 + seed)
        rows = random_rows(rng, n_locations=40, n_cases=250, spread=0.5, days=30)
        clusters = scan(rows, max_length=7, max_radius_km=15, replications=99, seed=seed)
        alarms += bool(clusters) and clusters[0].p_value < 0.05
    assert 0.01 <= alarms / runs <= 0.10
