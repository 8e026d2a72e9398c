"""Benchmark of the gaps computation at the scale of France.

35,000 square communes over a Lambert-93 extent with log-normal populations and 100,000
initiatives (11 themes) clustered toward populated communes. Prints the median of 3 runs of
``compute_gaps`` (counts, EB rates, nearest distances overall and per theme, white zones),
its peak traced memory, and, separately, the Gi* permutation inference on the EB rates.

Run from the repository root: ``.venv/bin/python bench/bench_gaps.py``
(options: ``--communes``, ``--initiatives``, ``--permutations``, ``--runs``, and
``--vertices 200`` for detailed, wiggly boundaries instead of squares, ``--wgs84`` to start
from EPSG:4326 like the database, so that the projection is timed too).
"""

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from radar.analysis.clusters import rate_clusters
from radar.analysis.gaps import compute_gaps, rank_underserved

THEMES = [
    "food",
    "repair_reuse",
    "mobility",
    "culture",
    "digital_inclusion",
    "care_mutual_aid",
    "environment",
    "housing",
    "skills_education",
    "third_place",
    "other",
]
# Roughly mainland France in Lambert-93 (metres).
XMIN, YMIN, XMAX, YMAX = 100_000, 6_050_000, 1_080_000, 7_110_000


def synthetic_territories(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    ny = int(np.sqrt(n * (YMAX - YMIN) / (XMAX - XMIN)))
    nx = int(np.ceil(n / ny))
    # Whole metres, so that neighbours share vertices exactly, as in a real topology.
    side = np.floor(min((XMAX - XMIN) / nx, (YMAX - YMIN) / ny))
    cols, rows = np.divmod(np.arange(n), ny)
    x, y = XMIN + cols * side, YMIN + rows * side
    population = np.round(rng.lognormal(mean=6.3, sigma=1.3, size=n))
    population[rng.random(n) < 0.002] = np.nan  # a few unknown populations
    return gpd.GeoDataFrame(
        {
            "code": [f"{i:05d}" for i in range(n)],
            "name": [f"Commune {i}" for i in range(n)],
            "population": population,
        },
        geometry=shapely.box(x, y, x + side, y + side),
        crs=2154,
    )


def detailed_boundaries(territories: gpd.GeoDataFrame, vertices: int) -> gpd.GeoDataFrame:
    """About ``vertices`` per commune, wiggling +/-30 m across the edge like a real boundary.

    The wiggle is a function of the coordinates, so neighbours still share their vertices.
    """
    side = territories.geometry.values[0].length / 4
    dense = shapely.segmentize(territories.geometry.values, max_segment_length=4 * side / vertices)
    wiggled = shapely.transform(dense, lambda c: c + np.round(c[:, ::-1] * 7.3) % 61 - 30)
    return territories.set_geometry(wiggled, crs=territories.crs)


def synthetic_initiatives(territories, n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    # A west-east gradient and a cold band give Gi* something to find.
    east = territories.geometry.centroid.x.to_numpy() - XMIN
    trend = 1.5 + np.sin(east / 150_000)
    weight = (np.nan_to_num(territories["population"].to_numpy()) + 50) * trend
    home = rng.choice(len(territories), size=n, p=weight / weight.sum())
    bounds = territories.geometry.bounds.to_numpy()[home]
    u = rng.random((n, 2))
    x = bounds[:, 0] + u[:, 0] * (bounds[:, 2] - bounds[:, 0])
    y = bounds[:, 1] + u[:, 1] * (bounds[:, 3] - bounds[:, 1])
    return gpd.GeoDataFrame(
        {
            "id": np.arange(n),
            "name": [f"Initiative {i}" for i in range(n)],
            "territory": territories["code"].to_numpy()[home],
            "themes": _themes(n, rng),
        },
        geometry=shapely.points(x, y),
        crs=2154,
    )


def _themes(n: int, rng: np.random.Generator) -> list[list[str]]:
    """One theme, or two for a quarter of the initiatives, as lists like the model's field."""
    first, second = rng.choice(THEMES, size=n), rng.choice(THEMES, size=n)
    two = rng.random(n) < 0.25
    pairs = zip(first, second, two, strict=True)
    return [[a, b] if both and a != b else [a] for a, b, both in pairs]


def timed(function, runs: int):
    """Median wall time, median CPU time (less sensitive to a busy machine), last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def peak_memory_mb(function) -> float:
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def bench_gaps(territories, initiatives, runs: int):
    def gaps():
        return compute_gaps(territories, initiatives, min_population=2_000, radius_m=5_000)

    median, cpu, result = timed(gaps, runs)
    ranking = rank_underserved(result.territories, min_population=2_000, radius_m=5_000)
    print(
        f"compute_gaps: median of {runs} runs {median:.2f} s wall, {cpu:.2f} s CPU (target <= 5 s)"
    )
    print(f"compute_gaps: peak traced memory {peak_memory_mb(gaps):.0f} MiB (numpy, pandas)")
    print(
        f"white zones: {int(result.territories['white_zone'].sum())} overall, "
        f"{int(result.by_category['white_zone'].sum())} territory-theme pairs; "
        f"{len(ranking)} under-served territories"
    )
    return result


def bench_clusters(territories, rates, permutations: int) -> None:
    start = time.perf_counter()
    clusters = rate_clusters(territories, rates, permutations=permutations, seed=0)
    labels = clusters["label"].value_counts().to_dict()
    print(
        f"Gi* ({permutations} permutations, Queen weights, BH FDR, not in the 5 s): "
        f"{time.perf_counter() - start:.2f} s; labels {labels}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=35_000)
    parser.add_argument("--initiatives", type=int, default=100_000)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--vertices", type=int, default=0, help="densify boundaries to ~N vertices (0: squares)"
    )
    parser.add_argument("--wgs84", action="store_true", help="input in EPSG:4326, like the DB")
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    territories = synthetic_territories(args.communes, rng)
    initiatives = synthetic_initiatives(territories, args.initiatives, rng)
    if args.vertices:
        territories = detailed_boundaries(territories, args.vertices)
    if args.wgs84:  # as stored in the database: the timing then includes the projection
        territories, initiatives = territories.to_crs(4326), initiatives.to_crs(4326)
    shape = f"{args.vertices}-vertex" if args.vertices else "square"
    print(
        f"{args.communes} {shape} communes, {args.initiatives} initiatives, {len(THEMES)} themes,"
        f" EPSG:{territories.crs.to_epsg()}"
    )
    result = bench_gaps(territories, initiatives, args.runs)
    bench_clusters(territories, result.territories["eb_rate"], args.permutations)
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (data generation included): {max_rss:.0f} MiB")


if __name__ == "__main__":
    main()
