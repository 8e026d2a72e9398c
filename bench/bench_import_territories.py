"""Import a synthetic national layer of 35,000 communes: time and peak memory.

Target: ≤ 60 s on the 2-core reference machine. Usage:
    .venv/bin/python bench/bench_import_territories.py [COUNT] [RUNS]
"""

import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely import Polygon

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, scratch_database, timed_child

# Metropolitan France in Lambert-93, roughly.
WEST, SOUTH, EAST, NORTH = 100_000, 6_100_000, 1_080_000, 7_100_000


def national_layer(count: int, seed: int = 7) -> gpd.GeoDataFrame:
    """Irregular 24-vertex polygons on a jittered grid: about the vertex count of simplified
    commune boundaries."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(count)))
    step_x, step_y = (EAST - WEST) / side, (NORTH - SOUTH) / side
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    polygons, codes = [], []
    for index in range(count):
        row, column = divmod(index, side)
        cx, cy = WEST + (column + 0.5) * step_x, SOUTH + (row + 0.5) * step_y
        radius = 0.45 * min(step_x, step_y) * rng.uniform(0.8, 1.0, size=24)
        polygons.append(
            Polygon(np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)]))
        )
        codes.append(f"{index:05d}")
    return gpd.GeoDataFrame(
        {"code": codes, "nom": [f"Commune {c}" for c in codes]}, geometry=polygons, crs="EPSG:2154"
    )


def main(count: int = 35_000, runs: int = 3) -> None:
    folder = Path(tempfile.mkdtemp())
    layer = national_layer(count)
    path = folder / "communes.gpkg"
    layer.to_file(path, driver="GPKG")
    population = folder / "population.csv"
    population.write_text(
        "code,population\n" + "".join(f"{c},{100 + i % 5000}\n" for i, c in enumerate(layer.code))
    )
    args = [
        "import_territories", str(path), "--level", "commune", "--code-field", "code",
        "--name-field", "nom", "--population-csv", str(population), "--population-year", "2023",
        "-v0",
    ]  # fmt: skip
    first, rerun = [], []
    for _ in range(runs):
        url = scratch_database("radar_bench_import")
        first.append(timed_child(url, *args))
        rerun.append(timed_child(url, *args))
    print(f"import_territories, {count} communes (GeoPackage, EPSG:2154), {runs} runs")
    print(f"  first import : median {median(t for t, _ in first):.1f} s, "
          f"peak RSS median {median(m for _, m in first):.0f} MB")  # fmt: skip
    print(f"  re-run (all unchanged): median {median(t for t, _ in rerun):.1f} s, "
          f"peak RSS median {median(m for _, m in rerun):.0f} MB")  # fmt: skip
    print("  target: ≤ 60 s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
