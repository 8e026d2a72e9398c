"""Benchmark of the prospective space-time permutation scan (radar/analysis/emerging.py).

Prints the wall time, CPU time and peak memory of a full-size scan on seeded synthetic data
(the median of --runs scans; the machine should be otherwise idle), then the
detection power (a planted cluster found with p < 0.05) and the false-alarm rate (null data with
p < 0.05, which should be about 5%) over several seeds of smaller data.

    .venv/bin/python bench/bench_emerging_scan.py                  # 100,000 cases, 35,000 places
    .venv/bin/python bench/bench_emerging_scan.py --cases 20000 --locations 5000 --runs 3
"""

import argparse
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from radar.analysis.emerging import (  # the repository root was put on the path above
    CaseTable,
    Cluster,
    ScanParams,
    space_time_permutation_scan,
)

END = date(2024, 12, 31)
# Mainland France, roughly: 35,000 places is about its number of communes.
LON, LAT = (-4.5, 7.5), (42.5, 51.0)


@dataclass(frozen=True)
class Synthetic:
    cases: CaseTable
    planted: set[int]


def synthetic(rng, n_cases, n_locations, days, plant=0, plant_days=3, plant_km=5.0) -> Synthetic:
    """Cases at uneven places (log-normal weights, like populations), uniform in time; with
    ``plant`` extra cases in the last ``plant_days`` days around a random place."""
    lon = rng.uniform(*LON, n_locations)
    lat = rng.uniform(*LAT, n_locations)
    weight = rng.lognormal(0.0, 1.2, n_locations)
    place = rng.choice(n_locations, n_cases, p=weight / weight.sum())
    age = rng.integers(0, days, n_cases)
    planted: set[int] = set()
    if plant:
        centre = int(rng.integers(n_locations))
        km = np.hypot((lon - lon[centre]) * 111.0 * np.cos(np.radians(lat[centre])),
                      (lat - lat[centre]) * 111.0)  # fmt: skip
        planted = set(np.flatnonzero(km <= plant_km).tolist())
        hot = np.array(sorted(planted))
        place = np.r_[place, rng.choice(hot, plant)]
        age = np.r_[age, rng.integers(0, plant_days, plant)]
    # Every place is declared (count 0), so places without cases still join the circles.
    everywhere = np.arange(n_locations)
    rows = np.r_[place, everywhere]
    table = CaseTable(
        location_ids=rows.tolist(),
        lon=lon[rows],
        lat=lat[rows],
        dates=[END - timedelta(days=int(a)) for a in age] + [END] * n_locations,
        counts=np.r_[np.ones(place.size, dtype=np.int64), np.zeros(n_locations, dtype=np.int64)],
    )
    return Synthetic(table, planted)


def run_scan(cases: CaseTable, params: ScanParams) -> list[Cluster]:
    return space_time_permutation_scan(**cases.as_kwargs(), params=params)


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def timing(args) -> None:
    data = synthetic(np.random.default_rng(args.seed), args.cases, args.locations, args.days)
    params = ScanParams(end=END, max_radius_km=args.radius_km, max_length=args.max_days,
                        replications=args.replications, seed=1, n_jobs=args.jobs)  # fmt: skip
    print(f"full scan: {args.cases:,} cases, {args.locations:,} places, {args.days} days, "
          f"windows up to {args.max_days} days, circles up to {args.radius_km:g} km and 50% of "
          f"cases, {args.replications} replications, {args.jobs} worker(s)")  # fmt: skip
    times = []
    cpu_before = _cpu_seconds()
    for run in range(args.runs):
        started = time.perf_counter()
        clusters = run_scan(data.cases, params)
        times.append(time.perf_counter() - started)
        print(f"  run {run + 1}: {times[-1]:.1f} s, {len(clusters)} clusters reported")
    cpu = (_cpu_seconds() - cpu_before) / args.runs
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  wall time: median {statistics.median(times):.1f} s over {len(times)} run(s)")
    print(f"  CPU time: {cpu:.1f} s per run, summed over this process and its workers")
    print(f"  peak memory (max RSS): {rss_self:.0f} MiB here, {rss_children:.0f} MiB per worker")
    if clusters:
        top = clusters[0]
        print(f"  most likely: {len(top.location_ids)} places, {top.observed} cases for "
              f"{top.expected:.1f} expected, LLR {top.llr:.3f}, p = {top.p_value}")  # fmt: skip


def calibration(args) -> None:
    params = ScanParams(end=END, max_radius_km=args.small_radius_km, max_length=7,
                        replications=args.small_replications, seed=1)  # fmt: skip
    print(f"calibration: {args.small_cases:,} cases, {args.small_locations:,} places, "
          f"{args.small_days} days, {args.small_replications} replications, "
          f"{args.seeds} seeds each")  # fmt: skip
    found = alarms = 0
    started = time.perf_counter()
    for seed in range(args.seeds):
        rng = np.random.default_rng(10_000 + seed)
        planted = synthetic(rng, args.small_cases, args.small_locations, args.small_days,
                            plant=args.plant, plant_km=args.small_radius_km / 2)  # fmt: skip
        clusters = run_scan(planted.cases, params)
        found += any(c.p_value < 0.05 and planted.planted & set(c.location_ids) for c in clusters)
        rng = np.random.default_rng(20_000 + seed)
        null = synthetic(rng, args.small_cases, args.small_locations, args.small_days)
        clusters = run_scan(null.cases, params)
        alarms += bool(clusters) and clusters[0].p_value < 0.05
    print(f"  power: planted cluster ({args.plant} extra cases in 3 days) found with p < 0.05 in "
          f"{found}/{args.seeds} = {found / args.seeds:.0%}")  # fmt: skip
    print(f"  false alarms: most likely cluster p < 0.05 on null data in {alarms}/{args.seeds} = "
          f"{alarms / args.seeds:.0%} (expected about 5%)")  # fmt: skip
    print(f"  ({time.perf_counter() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--locations", type=int, default=35_000)
    parser.add_argument("--days", type=int, default=365, help="Study period length.")
    parser.add_argument("--max-days", type=int, default=30, help="Longest window.")
    parser.add_argument("--radius-km", type=float, default=20.0)
    parser.add_argument("--replications", type=int, default=999)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3, help="Full scans timed (median).")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--seeds", type=int, default=100, help="Data sets for power and alarms.")
    parser.add_argument("--small-cases", type=int, default=3000)
    parser.add_argument("--small-locations", type=int, default=1000)
    parser.add_argument("--small-days", type=int, default=90)
    parser.add_argument("--small-radius-km", type=float, default=40.0)
    parser.add_argument("--small-replications", type=int, default=199)
    parser.add_argument("--plant", type=int, default=4, help="Extra cases in the cluster.")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-calibration", action="store_true")
    args = parser.parse_args()
    if not args.skip_timing:
        timing(args)
    if not args.skip_calibration:
        calibration(args)


if __name__ == "__main__":
    main()
