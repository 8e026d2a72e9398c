"""Keep the space-time scan within memory at any density: aggregate the cases to a grid.

The scan's cost is its neighbour lists: every location lists the locations within the maximum
radius, so 100,000 distinct points in one département (thousands of neighbours each) would need
hundreds of millions of entries. SaTScan users in that situation aggregate the cases to areas
(ZIP codes, census tracts) or to a regular grid, each area a single location at its centroid.
This module does the same with a square grid, choosing the smallest cell (0.25, 0.5, 1, 2, 4…
km) whose neighbour lists fit the budget.

What it changes in the results: a location is a grid cell, at the mean position of the cases it
holds; circles grow cell by cell, so a cluster's radius is known to about a cell; a cluster is
at least one cell wide; and cases are counted where their cell is, not where they are (a case
near a cell's edge can fall on the wrong side of a circle by up to half a cell's diagonal).
Inference stays exact for the aggregated data (same permutation test). Below the budget nothing
is aggregated and the results are SaTScan's, point by point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from radar.analysis.emerging import EARTH_RADIUS_KM, CaseTable, to_cartesian

# Neighbour-list entries the scan may build (32 bytes each with the replications' data): about
# 160 MB. The scan's own hard refusal (emerging.MAX_CYLINDER_MEMBERS) is ten times higher.
MEMBER_BUDGET = 5_000_000
CELL_SIZES_KM = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
SAMPLE_CENTRES = 2000
KM_PER_DEGREE = EARTH_RADIUS_KM * np.pi / 180.0


@dataclass(frozen=True)
class ScanInput:
    """The cases the scan reads, and how they were aggregated (``cell_km`` None: not at all).

    ``members`` maps each location id of ``cases`` to the original location ids it holds.
    """

    cases: CaseTable
    cell_km: float | None
    members: dict[Any, tuple[Any, ...]]

    def original_ids(self, location_ids: Sequence[Any]) -> list[Any]:
        return [original for loc in location_ids for original in self.members.get(loc, (loc,))]


def estimated_members(lon: np.ndarray, lat: np.ndarray, radius_km: float, seed: int = 0) -> int:
    """About how many neighbour-list entries the scan builds: distinct locations times the mean
    number of locations within the radius (a sample of centres; an upper bound, the share cap
    can only shorten the lists)."""
    from scipy.spatial import cKDTree

    points = np.unique(np.column_stack([lon, lat]), axis=0)
    n = len(points)
    if n == 0:
        return 0
    xyz = to_cartesian(points[:, 0], points[:, 1])
    tree = cKDTree(xyz)
    rng = np.random.default_rng(seed)
    sample = xyz if n <= SAMPLE_CENTRES else xyz[rng.choice(n, SAMPLE_CENTRES, replace=False)]
    found = tree.query_ball_point(sample, radius_km * (1 + 1e-9), return_length=True)
    return int(np.mean(found) * n)


def aggregate_to_grid(cases: CaseTable, cell_km: float) -> ScanInput:
    """The cases counted by grid cell and date; each cell at the mean position of its rows.

    The grid is square in km around the cases' mean latitude (equirectangular), which is
    close enough over a country for cells of a few km."""
    lon = np.asarray(cases.lon, dtype=float)
    lat = np.asarray(cases.lat, dtype=float)
    lat0 = float(np.mean(lat)) if lat.size else 0.0
    col = np.floor(lon * KM_PER_DEGREE * np.cos(np.radians(lat0)) / cell_km).astype(np.int64)
    row = np.floor(lat * KM_PER_DEGREE / cell_km).astype(np.int64)
    cells, cell_of_row = np.unique(np.column_stack([col, row]), axis=0, return_inverse=True)
    cell_of_row = cell_of_row.ravel()
    n_cells = len(cells)
    weight = np.bincount(cell_of_row, minlength=n_cells).astype(float)
    cell_lon = np.bincount(cell_of_row, weights=lon, minlength=n_cells) / weight
    cell_lat = np.bincount(cell_of_row, weights=lat, minlength=n_cells) / weight
    cell_ids = [f"cell:{c}:{r}" for c, r in cells.tolist()]
    members: dict[Any, list[Any]] = {}
    for index, location in zip(cell_of_row.tolist(), cases.location_ids, strict=True):
        members.setdefault(cell_ids[index], []).append(location)
    counts = np.asarray(cases.counts, dtype=np.int64)
    tally: dict[tuple[int, date], int] = {}
    for index, day, count in zip(cell_of_row.tolist(), cases.dates, counts.tolist(), strict=True):
        tally[(index, day)] = tally.get((index, day), 0) + count
    keys = sorted(tally)
    index = np.array([k[0] for k in keys], dtype=np.int64)
    return ScanInput(
        cases=CaseTable(
            location_ids=[cell_ids[i] for i in index.tolist()],
            lon=cell_lon[index],
            lat=cell_lat[index],
            dates=[k[1] for k in keys],
            counts=np.array([tally[k] for k in keys], dtype=np.int64),
        ),
        cell_km=cell_km,
        members={cell: tuple(dict.fromkeys(ids)) for cell, ids in members.items()},
    )


def scan_input(cases: CaseTable, *, max_radius_km: float, budget: int = MEMBER_BUDGET) -> ScanInput:
    """The cases as they are when their neighbour lists fit ``budget``, else aggregated to the
    smallest grid that fits. Raises ValueError when even the largest cell does not fit."""
    if estimated_members(cases.lon, cases.lat, max_radius_km) <= budget:
        return ScanInput(cases=cases, cell_km=None, members={})
    for cell_km in CELL_SIZES_KM:
        aggregated = aggregate_to_grid(cases, cell_km)
        estimate = estimated_members(aggregated.cases.lon, aggregated.cases.lat, max_radius_km)
        if estimate <= budget:
            return aggregated
    raise ValueError(f"too many locations even on a grid of {CELL_SIZES_KM[-1]:g} km")
