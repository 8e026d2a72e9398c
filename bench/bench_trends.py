"""Benchmark of the emerging hot-spot trends (radar/analysis/trends.py).

A grid of square communes like the Gironde's 538 (23 x 24 = 552 squares, 5 km wide) and ten
yearly time steps of Poisson starts (about 150 a year), with a 3 x 3 block that heats up in the
last three years. Prints the median wall time of --runs full analyses (cube, Gi* with
permutations per year, Mann-Kendall, classification), its peak traced memory, the split
between Gi* and the rest, and the patterns found.

    .venv/bin/python bench/bench_trends.py
    .venv/bin/python bench/bench_trends.py --rows 60 --cols 60 --permutations 0 --runs 1
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from radar.analysis import trends  # the repository root was put on the path above

FIRST_YEAR = 2017


def grid(rows: int, cols: int, side: float = 5000.0) -> gpd.GeoDataFrame:
    r, c = np.divmod(np.arange(rows * cols), cols)
    return gpd.GeoDataFrame(
        {"code": [f"{i:05d}" for i in range(rows * cols)]},
        geometry=shapely.box(c * side, r * side, (c + 1) * side, (r + 1) * side),
        crs=2154,
    )


def starts(territories, cols: int, years: int, rng) -> pd.DataFrame:
    n = len(territories)
    counts = rng.poisson(0.27, size=(n, years))
    block = np.arange(n).reshape(-1, cols)[1:4, 1:4].ravel()
    counts[np.ix_(block, np.arange(years - 3, years))] += 4
    territory = np.repeat(territories["code"].to_numpy(), counts.sum(axis=1))
    year = np.concatenate([np.repeat(np.arange(years), row) for row in counts]) + FIRST_YEAR
    return pd.DataFrame(
        {"territory": territory, "start_date": pd.to_datetime(year.astype(str), format="%Y")}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=23)
    parser.add_argument("--cols", type=int, default=24)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--permutations", type=int, default=9999)  # as the radar
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    territories = grid(args.rows, args.cols)
    initiatives = starts(territories, args.cols, args.years, np.random.default_rng(7))
    years = range(FIRST_YEAR, FIRST_YEAR + args.years)
    print(
        f"{len(territories)} territories x {args.years} years, {len(initiatives)} starts, "
        f"{args.permutations} permutations"
    )

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        summary, _yearly = trends.hot_spot_trends(
            territories, initiatives, years, permutations=args.permutations
        )
        times.append(time.perf_counter() - start)
    print(f"hot_spot_trends: median {statistics.median(times):.2f} s over {args.runs} runs")

    counts = trends.yearly_counts(territories, initiatives, years).to_numpy()
    start = time.perf_counter()
    spots = trends.yearly_hot_spots(territories, counts, permutations=args.permutations)
    gi = time.perf_counter() - start
    start = time.perf_counter()
    trend = trends.mann_kendall_rows(spots.z)
    trends.classify(spots.states, trend["s"], trend["p"])
    print(
        f"  of which Gi* per year {gi:.2f} s, Mann-Kendall + classification "
        f"{time.perf_counter() - start:.3f} s"
    )

    tracemalloc.start()
    trends.hot_spot_trends(territories, initiatives, years, permutations=args.permutations)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak traced memory {peak / 2**20:.0f} MB")
    print(summary["pattern"].value_counts().to_string())


if __name__ == "__main__":
    main()
