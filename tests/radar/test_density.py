"""No analysis falls over with density: the scan aggregates dense data to a grid, trends
draw their permutations in batches, and a failure is recorded once and said in words."""

from datetime import date, timedelta

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse

from initiatives.models import Initiative
from radar.analysis import density, trends
from radar.analysis.emerging import CaseTable, ScanParams, space_time_permutation_scan


def _cases(n: int, *, seed: int = 1) -> CaseTable:
    rng = np.random.default_rng(seed)
    end = date(2026, 11, 15)
    return CaseTable(
        location_ids=list(range(n)),
        lon=rng.uniform(-0.7, -0.5, n),
        lat=rng.uniform(44.8, 44.9, n),
        dates=[end - timedelta(days=int(d)) for d in rng.integers(0, 1000, n)],
        counts=np.ones(n, dtype=np.int64),
    )


def test_sparse_cases_are_scanned_point_by_point():
    cases = _cases(50)
    scanned = density.scan_input(cases, max_radius_km=1.0, budget=10_000)
    assert scanned.cell_km is None
    assert scanned.cases is cases


def test_dense_cases_are_aggregated_to_the_smallest_grid_that_fits():
    cases = _cases(3000)
    assert density.estimated_members(cases.lon, cases.lat, 10.0) > 100_000

    scanned = density.scan_input(cases, max_radius_km=10.0, budget=100_000)

    assert scanned.cell_km is not None
    assert density.estimated_members(scanned.cases.lon, scanned.cases.lat, 10.0) <= 100_000
    smaller = density.aggregate_to_grid(cases, scanned.cell_km / 2)
    assert density.estimated_members(smaller.cases.lon, smaller.cases.lat, 10.0) > 100_000
    # Every case is still counted once, on its date, and every cell maps back to its ids.
    assert scanned.cases.counts.sum() == 3000
    assert sorted(scanned.original_ids(list(scanned.members))) == list(range(3000))
    by_date = {}
    for day, count in zip(scanned.cases.dates, scanned.cases.counts, strict=True):
        by_date[day] = by_date.get(day, 0) + int(count)
    assert by_date == {d: cases.dates.count(d) for d in set(cases.dates)}


def test_a_planted_cluster_is_still_found_on_the_grid():
    cases = _cases(2000, seed=3)
    end = date(2026, 11, 15)
    planted = 60
    lon = np.r_[cases.lon, np.full(planted, -0.6)]
    lat = np.r_[cases.lat, np.full(planted, 44.85)]
    ids = [*cases.location_ids, *range(10_000, 10_000 + planted)]
    dates = [*cases.dates, *([end - timedelta(days=5)] * planted)]
    table = CaseTable(ids, lon, lat, dates, np.ones(len(ids), dtype=np.int64))
    scanned = density.scan_input(table, max_radius_km=3.0, budget=20_000)
    assert scanned.cell_km is not None

    clusters = space_time_permutation_scan(
        **scanned.cases.as_kwargs(),
        params=ScanParams(end=end, max_radius_km=3.0, time_unit="month", max_length=3,
                          min_cases=3, replications=99, seed=1),
    )  # fmt: skip

    assert clusters[0].p_value <= 0.05
    found = set(scanned.original_ids(clusters[0].location_ids))
    assert set(range(10_000, 10_000 + planted)) <= found


def test_trend_p_values_count_both_tails_of_the_same_draws_without_keeping_them(monkeypatch):
    """Two-sided p from esda's upper and lower tails over one set of permutations: the same
    values as counting the kept simulations, with nothing of size territories x permutations
    held in memory."""
    import geopandas as gpd
    from shapely.geometry import box

    from radar.analysis import clusters

    cells = [box(x, y, x + 1, y + 1) for x in range(12) for y in range(12)]
    territories = gpd.GeoDataFrame({"code": [str(i) for i in range(144)]}, geometry=cells)
    y = np.random.default_rng(5).poisson(0.6, 144).astype(float)
    y[:12] += 8  # a hot corner; the rest sparse, with many ties at zero
    w = clusters.queen_weights(territories)
    kept = clusters.local_g_star(
        y, w, permutations=1999, seed=3, alternative="two-sided", keep_simulations=True
    )
    observed = np.asarray(kept.Gs)[:, None]
    upper, lower = (kept.rGs >= observed).sum(axis=1), (kept.rGs <= observed).sum(axis=1)
    expected = np.minimum(1.0, 2.0 * np.minimum(upper + 1, lower + 1) / 2000)

    calls = []
    original = clusters.local_g_star

    def recorded(*args, **kwargs):
        calls.append(kwargs.get("keep_simulations", False))
        return original(*args, **kwargs)

    monkeypatch.setattr(clusters, "local_g_star", recorded)
    z, p = trends.gi_star_two_sided(y, w, permutations=1999, seed=3)

    assert calls == [False, False]
    tested = np.isfinite(p)
    assert tested.sum() > 100
    assert np.array_equal(p[tested], expected[tested])
    assert np.allclose(z[tested], np.asarray(kept.Zs)[tested])
    assert (p[tested] < 0.05).any() and (p[tested] == 1.0).any()  # both ends are exercised


@pytest.fixture
def impossible_scan(monkeypatch):
    """The scan refuses, as build_cylinders does when the circles would not fit in memory."""
    calls = []

    def refuse(cases, *, max_radius_km, budget=0):
        calls.append(max_radius_km)
        raise ValueError("too many cylinders: lower the maximum radius")

    monkeypatch.setattr(density, "scan_input", refuse)
    cache.clear()
    return calls


@pytest.mark.django_db
def test_an_impossible_scan_is_recorded_once_and_answered_422_in_words(client, impossible_scan):
    url = reverse("api:radar-emerging")
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    second = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert first.status_code == second.status_code == 422
    assert first.json()["code"] == "analysis_impossible"
    assert first.json()["detail"].startswith("Calcul impossible")
    assert second.json()["detail"].startswith("Computation impossible: too many initiatives")
    assert len(impossible_scan) == 1  # the failure was read from the cache the second time


@pytest.mark.django_db
def test_the_radar_page_says_an_analysis_is_impossible_and_keeps_the_others(
    client, impossible_scan
):
    response = client.get(reverse("radar:home"), HTTP_ACCEPT_LANGUAGE="fr")
    again = client.get(reverse("radar:home"), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == again.status_code == 200
    text = response.content.decode()
    assert "Calcul impossible" in text
    assert 'id="table-gaps"' in text and "Mérignac" in text  # the gaps are still there
    assert len(impossible_scan) == 1


@pytest.mark.django_db
def test_a_territory_profile_says_an_analysis_is_impossible(client, impossible_scan):
    response = client.get(reverse("radar:territory", args=["33063"]), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    assert "Calcul impossible" in response.content.decode()


@pytest.mark.django_db
def test_an_unexpected_error_is_recorded_for_an_hour_only(monkeypatch):
    from radar.reports import cache as results

    stored = {}
    monkeypatch.setattr(cache, "set", lambda key, value, timeout: stored.update({key: timeout}))

    def broken():
        raise ZeroDivisionError

    entry = results.compute_and_store("k", "1", broken)

    assert entry["failure"] == {"code": "error", "detail": "ZeroDivisionError"}
    assert stored == {"k": 3600}


@pytest.mark.django_db
def test_the_data_version_moves_on_every_write_and_reads_no_table(django_assert_num_queries):
    from django.db import connection

    from radar.reports.cache import data_fingerprint

    before = data_fingerprint()
    Initiative.objects.filter(pk=Initiative.objects.first().pk).update(name="Renamed")
    after_orm = data_fingerprint()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE territories_territory SET name = name WHERE code = '33063'")
    after_sql = data_fingerprint()

    assert before != after_orm != after_sql
    with django_assert_num_queries(1) as captured:
        data_fingerprint()
    sql = captured.captured_queries[0]["sql"]
    assert "initiatives_initiative" not in sql and "territories_territory" not in sql
