"""Prospective space-time permutation scan statistic (Kulldorff 2005), computed as SaTScan does.

The question it answers: *is something starting somewhere, right now?* Each case (an event at a
place and a date) is only compared with the other cases, never with a population: a place and a
recent time window form a cluster when the window holds more of the place's cases than the place's
share of all cases and the window's share of all cases would predict.

Every rule below follows SaTScan's source code (github.com/scanstatistics/satscan) so that results
match its reports:

* Locations are the distinct coordinates; ids sharing coordinates form one location.
* Lat/long are turned into 3-D Cartesian coordinates on a sphere of radius 6367 km, and distances
  are the straight (chord) distances between those points, in km.
* A cylinder's base is a circle: a centre location and its nearest neighbours, ties in distance
  broken by the smaller Cartesian coordinates (x, then y, then z). Neighbours are added while the
  distance is at most the maximum radius (a location exactly at the radius is in) and while the
  circle's cases over the whole study period are at most ``max_share`` of all cases; the first
  location that would exceed the share stops the circle.
* Prospective: every time window ends on the analysis end date and is 1 to ``max_length`` units
  long. Units are days, or months counted back from the end date.
* Expected cases: mu = C_z * C_w / C, the location totals and window totals over the whole study
  period. Cases before the maximum window count in those margins; cases after the end date are
  ignored.
* Only high-rate cylinders count: at least ``min_cases`` cases (SaTScan's default is 2) and more
  cases than expected. Log-likelihood ratio: n ln(n/mu) + (C-n) ln((C-n)/(C-mu)).
* p-value: the dates are permuted among the cases R times; p = rank / (R + 1), the rank counting
  the replications whose maximum ratio is at least the cluster's (to within 1e-9).
* Secondary clusters: the best cylinder of each centre, sorted by ratio (ties within 1e-9: fewer
  ids, then lower centre), kept greedily unless they overlap a kept cluster geometrically, as
  SaTScan decides "no geographical overlap" (``HasAnyTractsInCommon`` in
  MostLikelyClustersContainer.cpp, 10.3.2): two circles whose centres are farther apart than
  the sum of their radii do not overlap; a centre strictly inside the other circle overlaps;
  otherwise they overlap when a location of the cluster with fewer ids (the kept one on a tie)
  lies within the other's radius, an equal distance counting as within (tolerance 1e-9). This
  is stricter than sharing a location: a location on a circle's edge left out by the tie rule
  or by the share cap still blocks a cluster that holds it. ``overlap="shared-location"``
  selects the looser rule (no location in common), which SaTScan does not have. At most 500
  clusters. Like SaTScan, a secondary cluster is reported only if its ratio is at least 0.001
  and some replication had a lower maximum.
* Recurrence interval: with a single prospective analysis it is one unit / p, in days, at least
  one day (months count as 365.25 / 12 days).

SaTScan by default stops replications early when nothing is significant and may report Gumbel
p-values for very small ones; this module always runs the R replications (standard Monte Carlo).
The replications draw from ``seed`` (:data:`radar.analysis.randomness.DEFAULT_SEED` unless told
otherwise), so the same data always give the same p-values; ``seed=None`` draws fresh entropy.

Speed: margins, circles and expectations do not change under permutation; a replication only
hands the recent dates to a random subset of cases. Only cylinders whose farthest location has
a recent case can be the best of their centre, only windows that gain a case can beat a shorter
one, and a ratio bound without logarithms sets most of the rest aside, so the exact ratio is
computed for few cylinders.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np

from radar.analysis.randomness import DEFAULT_SEED

TimeUnit = Literal["day", "month"]
OverlapRule = Literal["geometric", "shared-location"]
OVERLAP_RULES: tuple[OverlapRule, ...] = ("geometric", "shared-location")

EARTH_RADIUS_KM = 6367.0  # SaTScan's constant, not the IUGG mean radius
_PI = 3.1415926535897932384626433832795028841972  # SaTScan's PI, for bit-identical coordinates
AVERAGE_DAYS_IN_YEAR = 365.25
LLR_TOLERANCE = 1e-9  # SaTScan's DBL_CMP_TOLERANCE when ranking and comparing ratios
DISTANCE_TOLERANCE = 1e-9  # the same constant, in km, when SaTScan compares circles
MIN_RATIO_TO_REPORT = 0.001
MAX_RANKED_CLUSTERS = 500
MAX_CYLINDER_MEMBERS = 50_000_000  # 32 bytes each, 1.6 GB of neighbour lists: refuse beyond


@dataclass(frozen=True)
class ScanParams:
    """Parameters of a prospective space-time permutation scan.

    ``start`` is the study period start (SaTScan's StartDate): cases before it are left out of
    everything. When ``None`` the study period starts with the unit holding the earliest case.
    ``n_jobs`` spreads the replications over processes; results do not depend on it.
    ``seed`` fixes the replications (``None``: fresh entropy, results change from run to run).
    ``overlap`` is the rule for secondary clusters: SaTScan's ``"geometric"`` one (default) or
    ``"shared-location"`` (see the module docstring).
    """

    end: date
    max_radius_km: float
    time_unit: TimeUnit = "day"
    max_length: int = 7
    max_share: float = 0.5
    min_cases: int = 2
    replications: int = 999
    seed: int | None = DEFAULT_SEED
    start: date | None = None
    n_jobs: int = 1
    overlap: OverlapRule = "geometric"

    def __post_init__(self) -> None:
        if self.time_unit not in ("day", "month"):
            raise ValueError(f"time_unit must be 'day' or 'month', not {self.time_unit!r}")
        if self.max_length < 1:
            raise ValueError("max_length must be at least one time unit")
        if not self.max_radius_km > 0:
            raise ValueError("max_radius_km must be positive")
        if not 0 < self.max_share <= 1:
            raise ValueError("max_share must be in (0, 1]")
        if self.min_cases < 1:
            raise ValueError("min_cases must be at least 1")
        if self.replications < 0:
            raise ValueError("replications cannot be negative")
        if self.start is not None and self.start > self.end:
            raise ValueError("the study period starts after it ends")
        if self.overlap not in OVERLAP_RULES:
            raise ValueError(f"overlap must be one of {', '.join(OVERLAP_RULES)}")
        if self.seed is not None and self.seed < 0:
            raise ValueError("seed must be a whole number >= 0")


@dataclass(frozen=True)
class Cluster:
    """A reported space-time cluster; ``p_value`` and ``recurrence_interval_days`` are ``None``
    when no replications were run."""

    location_ids: tuple[Any, ...]
    center: tuple[float, float]
    radius_km: float
    start: date
    end: date
    observed: int
    expected: float
    llr: float
    p_value: float | None
    recurrence_interval_days: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings, centre as [lon, lat])."""
        return {
            "location_ids": list(self.location_ids),
            "center": [self.center[0], self.center[1]],
            "radius_km": self.radius_km,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "observed": self.observed,
            "expected": self.expected,
            "llr": self.llr,
            "p_value": self.p_value,
            "recurrence_interval_days": self.recurrence_interval_days,
        }


@dataclass(frozen=True)
class CaseTable:
    """What the scan reads: one row per case, or per location and date with a count.

    A row with count 0 declares a location without cases.
    """

    location_ids: list[Any]
    lon: np.ndarray
    lat: np.ndarray
    dates: list[date]
    counts: np.ndarray

    def __len__(self) -> int:
        return len(self.location_ids)

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`space_time_permutation_scan`."""
        return {
            "location_ids": self.location_ids,
            "lon": self.lon,
            "lat": self.lat,
            "dates": self.dates,
            "counts": self.counts,
        }


@dataclass(frozen=True)
class StudySummary:
    """The data a scan looks at: study period, distinct locations, cases in the period."""

    start: date | None
    end: date
    locations: int
    cases: int


def summarize(cases: CaseTable, params: ScanParams) -> StudySummary:
    """What :func:`space_time_permutation_scan` will see of ``cases``, for reports."""
    counts = np.asarray(cases.counts, dtype=np.int64)
    in_period = np.array(
        [d <= params.end and (params.start is None or d >= params.start) for d in cases.dates],
        dtype=bool,
    ) & (counts > 0)
    coordinates = {(float(x), float(y)) for x, y in zip(cases.lon, cases.lat, strict=True)}
    first = min((d for d, ok in zip(cases.dates, in_period, strict=True) if ok), default=None)
    if params.start is None and first is not None:
        first = aligned_start(params.end, params.time_unit, first)
    return StudySummary(
        start=params.start or first,
        end=params.end,
        locations=len(coordinates),
        cases=int(counts[in_period].sum()),
    )


# --------------------------------------------------------------------------- geometry


def to_cartesian(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """SaTScan's lat/long conversion: points on a 6367 km sphere, in km (n x 3)."""
    lon_r = np.asarray(lon, dtype=float) * _PI / 180.0
    lat_r = np.asarray(lat, dtype=float) * _PI / 180.0
    x = EARTH_RADIUS_KM * np.cos(lon_r) * np.cos(lat_r)
    y = EARTH_RADIUS_KM * np.sin(lon_r) * np.cos(lat_r)
    z = EARTH_RADIUS_KM * np.sin(lat_r)
    return np.column_stack([x, y, z])


def chord_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Straight-line distance between Cartesian points, summed in SaTScan's order."""
    d = a - b
    return np.sqrt(d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1] + d[..., 2] * d[..., 2])


@dataclass(frozen=True)
class Locations:
    """Distinct coordinates, in SaTScan's index order (by smallest id, compared as text)."""

    ids: list[tuple[Any, ...]]  # ids at each location, sorted as text
    lon: np.ndarray
    lat: np.ndarray
    xyz: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def merge_locations(
    location_ids: Sequence[Any], lon: np.ndarray, lat: np.ndarray
) -> tuple[Locations, np.ndarray]:
    """Group rows by exact coordinates; return the locations and each row's location index."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise ValueError("coordinates must be finite numbers")
    if (np.abs(lat) > 90).any() or (np.abs(lon) > 180).any():
        raise ValueError("latitude must be within [-90, 90] and longitude within [-180, 180]")
    keys = [str(i) for i in location_ids]
    first: dict[str, int] = {}
    for row, key in enumerate(keys):
        seen = first.setdefault(key, row)
        if seen != row and (lon[seen] != lon[row] or lat[seen] != lat[row]):
            raise ValueError(f"location {location_ids[row]!r} has two different coordinates")
    id_rows = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    coords = np.column_stack([lon[id_rows], lat[id_rows]])
    _, group_of_id = np.unique(coords, axis=0, return_inverse=True)
    group_of_id = group_of_id.ravel()
    members: dict[int, list[int]] = {}
    for id_row, group in zip(id_rows.tolist(), group_of_id.tolist(), strict=True):
        members.setdefault(group, []).append(id_row)
    groups = sorted(
        (sorted(rows, key=lambda r: keys[r]) for rows in members.values()),
        key=lambda rows: keys[rows[0]],
    )
    index_of_key = {}
    for index, rows in enumerate(groups):
        for r in rows:
            index_of_key[keys[r]] = index
    heads = np.array([rows[0] for rows in groups], dtype=np.int64)
    locations = Locations(
        ids=[tuple(location_ids[r] for r in rows) for rows in groups],
        lon=lon[heads],
        lat=lat[heads],
        xyz=to_cartesian(lon[heads], lat[heads]),
    )
    row_location = np.fromiter((index_of_key[k] for k in keys), dtype=np.int64, count=len(keys))
    return locations, row_location


# --------------------------------------------------------------------------- time


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


def _months_back(anchor: date, months: int) -> date:
    """SaTScan's DecrementableEndDate: ``anchor`` moved back whole months, keeping to the month end
    when the anchor day is past the 28th (a missing day rolls to the 1st of the next month)."""
    total = anchor.year * 12 + anchor.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    last_day = _days_in_month(anchor.year, anchor.month)
    if anchor.day <= 28 and anchor.day != last_day:
        return date(year, month, anchor.day)
    day = anchor.day
    if anchor.day == last_day:
        day = 29 if (anchor.month == 2 and anchor.day == 29) else 31
    if day > _days_in_month(year, month):
        return date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, day)


def interval_starts(end: date, unit: TimeUnit, start: date) -> list[date]:
    """Start dates of the aggregation intervals, oldest first, followed by ``end + 1``.

    Intervals are laid back from the end date; when the study start falls inside an interval,
    that partial interval is merged into the next one, as SaTScan does.
    """
    after_end = end + timedelta(days=1)
    starts = [after_end]
    step = 1
    current = _step_back(after_end, unit, step)
    while current > start:
        starts.append(current)
        step += 1
        current = _step_back(after_end, unit, step)
    if current < start and len(starts) > 1:
        starts.pop()
    starts.append(start)
    starts.reverse()
    return starts


def aligned_start(end: date, unit: TimeUnit, earliest: date) -> date:
    """The default study start: the start of the interval holding the earliest case, so that
    every interval is a whole unit."""
    after_end = end + timedelta(days=1)
    if unit == "day":
        return earliest
    steps = (after_end.year - earliest.year) * 12 + after_end.month - earliest.month
    while _months_back(after_end, steps) > earliest:
        steps += 1
    return _months_back(after_end, steps)


def _step_back(anchor: date, unit: TimeUnit, steps: int) -> date:
    return anchor - timedelta(days=steps) if unit == "day" else _months_back(anchor, steps)


# --------------------------------------------------------------------------- cylinders


@dataclass(frozen=True)
class Cylinders:
    """Circles about each centre, as flat arrays sorted by centre then distance.

    ``members[p]`` is the location at position ``p``; the circle of ``centre[p]`` made of the
    first neighbours up to ``p`` has radius ``radius[p]`` and ``totals[p]`` cases over the study.
    """

    offsets: np.ndarray
    members: np.ndarray
    centre: np.ndarray
    radius: np.ndarray
    totals: np.ndarray

    @property
    def size(self) -> int:
        return int(self.members.size)


def build_cylinders(
    xyz: np.ndarray, location_totals: np.ndarray, max_radius_km: float, max_share: float
) -> Cylinders:
    """Neighbour lists of every location, limited by radius and by share of all cases."""
    from scipy.spatial import cKDTree  # heavy import, only needed when a scan actually runs

    n = len(xyz)
    cap = max_share * float(location_totals.sum())
    radius = min(max_radius_km, 2 * EARTH_RADIUS_KM + 1.0)
    tree = cKDTree(xyz)
    pending = np.arange(n)
    k = min(n, 32)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    while pending.size:
        rows, cols, done = _query_neighbours(tree, xyz, pending, k, radius)
        rows, cols, dist = _sorted_pairs(xyz, rows, cols, radius)
        keep = _within_share(rows, cols, location_totals, cap)
        complete = done[np.searchsorted(pending, rows)] | _stopped_by_share(rows, dist, keep)
        finished = np.unique(rows[complete])
        mask = np.isin(rows, finished) & keep
        parts.append((rows[mask], cols[mask], dist[mask]))
        pending = np.setdiff1d(pending, finished)
        if pending.size and k >= n:
            raise AssertionError("neighbour search did not converge")
        # Every pending centre has more than k neighbours: refuse before the memory runs out.
        if sum(p[0].size for p in parts) + pending.size * k > MAX_CYLINDER_MEMBERS:
            raise ValueError(
                "too many cylinders: lower the maximum radius or the maximum share of cases"
            )
        k = min(n, 4 * k)
    rows, cols, dist = (np.concatenate([p[i] for p in parts]) for i in range(3))
    order = np.argsort(rows, kind="stable")  # parts are sorted runs: merging them is cheap
    rows, cols, dist = rows[order], cols[order], dist[order]
    totals = _segment_cumsum(location_totals[cols].astype(float), rows)
    offsets = np.searchsorted(rows, np.arange(n + 1))
    return Cylinders(
        offsets=offsets.astype(np.int64),
        members=cols.astype(np.int32),
        centre=rows.astype(np.int32),
        radius=dist,
        totals=totals,
    )


def _query_neighbours(
    tree: Any, xyz: np.ndarray, centres: np.ndarray, k: int, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The k nearest locations of each centre within a slightly padded radius.

    ``done`` flags centres whose every location within the radius was returned.
    """
    padded = radius * (1 + 1e-9) + 1e-9
    dist, idx = tree.query(xyz[centres], k=k, distance_upper_bound=padded, workers=-1)
    dist = dist.reshape(len(centres), -1)
    idx = idx.reshape(len(centres), -1)
    found = np.isfinite(dist)
    done = ~found[:, -1] | (k >= len(xyz))
    rows = np.repeat(centres, found.sum(axis=1))
    return rows, idx[found], done


def _sorted_pairs(
    xyz: np.ndarray, rows: np.ndarray, cols: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact distances, radius filter (inclusive) and SaTScan's order within each centre."""
    dist = chord_km(xyz[rows], xyz[cols])
    inside = dist <= radius
    rows, cols, dist = rows[inside], cols[inside], dist[inside]
    if not _in_satscan_order(xyz, rows, cols, dist):
        order = np.lexsort((xyz[cols, 2], xyz[cols, 1], xyz[cols, 0], dist, rows))
        rows, cols, dist = rows[order], cols[order], dist[order]
    return rows, cols, dist


def _in_satscan_order(
    xyz: np.ndarray, rows: np.ndarray, cols: np.ndarray, dist: np.ndarray
) -> bool:
    """Whether pairs are sorted by centre, distance, then x, y, z (the tree's output nearly
    always is, and checking is much cheaper than sorting)."""
    if rows.size < 2:
        return True
    if (rows[1:] < rows[:-1]).any():
        return False
    same = rows[1:] == rows[:-1]
    if (same & (dist[1:] < dist[:-1])).any():
        return False
    tied = np.flatnonzero(same & (dist[1:] == dist[:-1]))
    if tied.size == 0:
        return True
    ahead, behind = xyz[cols[tied]].tolist(), xyz[cols[tied + 1]].tolist()
    return all(b >= a for a, b in zip(ahead, behind, strict=True))  # lists: x, then y, then z


def _within_share(
    rows: np.ndarray, cols: np.ndarray, location_totals: np.ndarray, cap: float
) -> np.ndarray:
    """Prefix of each neighbour list whose cumulative cases stay within the cap."""
    return _segment_cumsum(location_totals[cols].astype(float), rows) <= cap


def _stopped_by_share(rows: np.ndarray, dist: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """True for every pair of a centre whose list was cut by the share cap for good.

    The cut is final when a location strictly farther than the first dropped one was returned:
    the search then saw every location up to the cut, ties included.
    """
    stopped = np.zeros(rows.size, dtype=bool)
    dropped = np.flatnonzero(~keep)
    if dropped.size == 0:
        return stopped
    first_dropped = dropped[np.r_[True, rows[dropped][1:] != rows[dropped][:-1]]]
    last_of_centre = np.r_[np.flatnonzero(rows[1:] != rows[:-1]), rows.size - 1]
    centre_end = last_of_centre[np.searchsorted(rows[last_of_centre], rows[first_dropped])]
    cut = dist[first_dropped] < dist[centre_end] - 1e-9
    stopped_centres = rows[first_dropped[cut]]
    return np.isin(rows, stopped_centres)


def _segment_cumsum(values: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting where ``segments`` (sorted) changes value."""
    if values.size == 0:
        return values.copy()
    total = np.cumsum(values)
    first = np.r_[True, segments[1:] != segments[:-1]]
    before = (total - values)[first]
    return total - np.repeat(before, np.diff(np.r_[np.flatnonzero(first), values.size]))


# --------------------------------------------------------------------------- statistic


def log_likelihood_ratio(n: np.ndarray, mu: np.ndarray, total: float) -> np.ndarray:
    """Space-time permutation (Poisson-form) log-likelihood ratio, for n > mu."""
    n = np.asarray(n, dtype=float)
    mu = np.asarray(mu, dtype=float)
    rest = total - n
    with np.errstate(divide="ignore", invalid="ignore"):
        outside = np.where(rest > 0, rest * np.log(rest / (total - mu)), 0.0)
    return n * np.log(n / mu) + outside


@dataclass
class _Data:
    """Everything the scan needs once, shared by the observed run and the replications."""

    cylinders: Cylinders
    total: float
    min_cases: int
    window_totals: np.ndarray  # cases in the last w units, w = 1..W
    case_location: np.ndarray  # location of each case (expanded by counts)
    recency: np.ndarray  # units before the end date of each case (0 = the last unit)
    n_locations: int
    log_totals: np.ndarray = field(init=False)
    n_log_n: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        # Tables for the ratio bound of the replications.
        with np.errstate(divide="ignore"):
            self.log_totals = np.log(self.cylinders.totals)
        k = np.arange(int(self.window_totals[-1]) + 1, dtype=float)
        self.n_log_n = k * np.log(np.maximum(k, 1.0))

    @property
    def max_window(self) -> int:
        return int(self.window_totals.size)


@dataclass(frozen=True)
class _Evaluation:
    """Cylinders worth evaluating: those whose last member has recent cases.

    Adding a location without recent cases keeps the count and cannot lower the expectation,
    so no other cylinder can have a higher ratio.
    """

    positions: np.ndarray  # in the flat cylinder arrays
    rows: np.ndarray  # row of each position's last member in ``by_window``
    base: np.ndarray  # for each position, its centre's first position + 1 (see ``counts``)
    by_window: np.ndarray  # windows x active locations, cases in the last w + 1 units

    def counts(self, w: int) -> np.ndarray:
        """Cases inside each candidate cylinder for the window of w + 1 units."""
        return self.counts_and_added(w)[0]

    def counts_and_added(self, w: int) -> tuple[np.ndarray, np.ndarray]:
        """Cases inside each cylinder and cases of its last member, window of w + 1 units."""
        added = self.by_window[w].take(self.rows)
        running = np.zeros(added.size + 1, dtype=np.int32)
        np.cumsum(added, dtype=np.int32, out=running[1:])
        # Cases up to a position, less the cases before its centre's first position.
        return running[1:] - running.take(self.base - 1), added


def _recent_counts(data: _Data, locations: np.ndarray, recency: np.ndarray) -> _Evaluation:
    """Cumulative counts by window for cylinders that end on a location with recent cases."""
    active, row = np.unique(locations, return_inverse=True)
    width = data.max_window
    per_unit = np.bincount(row * width + recency, minlength=active.size * width)
    per_unit = per_unit.reshape(active.size, width)
    by_window = np.ascontiguousarray(np.cumsum(per_unit, axis=1, dtype=np.int32).T)
    is_active = np.zeros(data.n_locations, dtype=bool)
    is_active[active] = True
    positions = np.flatnonzero(is_active[data.cylinders.members])
    row_of_location = np.empty(data.n_locations, dtype=np.int64)
    row_of_location[active] = np.arange(active.size)
    rows = row_of_location[data.cylinders.members[positions]]
    centre = data.cylinders.centre[positions]
    starts = np.flatnonzero(np.r_[True, centre[1:] != centre[:-1]])
    base = np.repeat(starts + 1, np.diff(np.r_[starts, positions.size]))
    return _Evaluation(positions, rows, base, by_window)


def _high_rate(data: _Data, n: np.ndarray, mu: np.ndarray) -> np.ndarray:
    return (n >= data.min_cases) & (n > mu)


def _max_ratio(data: _Data, evaluation: _Evaluation) -> float:
    """Largest ratio over all cylinders (0 when none is a high-rate cluster).

    A cylinder is skipped when its last member brings no case in the window (the smaller
    cylinder has as many cases for less expected) or when it has no more cases than in the
    shorter window (same cases for more expected). The others are dismissed with a bound that
    needs no logarithm: (C-n) ln((C-n)/(C-mu)) <= -(n-mu)(C-n)/(C-mu), so the ratio is at most
    n ln n - n ln mu - (n-mu)(C-n)/(C-mu), within (n-mu)^2 / 2(C-mu) of the exact value.
    """
    best = 0.0
    total = data.total
    log_totals = data.log_totals[evaluation.positions]
    totals = data.cylinders.totals[evaluation.positions]
    previous_share = -1.0
    previous = np.zeros(evaluation.positions.size, dtype=np.int32)
    for w in range(data.max_window):
        share = data.window_totals[w] / total
        if share == previous_share or share == 0:
            continue  # an empty unit: same counts, same expectations, same ratios
        previous_share = share
        n, added = evaluation.counts_and_added(w)
        idx = np.flatnonzero((added > 0) & (n > previous) & (n >= data.min_cases))
        previous = n
        n = n[idx]
        mu = totals[idx] * share
        with np.errstate(divide="ignore", invalid="ignore"):  # mu = C: not high-rate anyway
            bound = data.n_log_n[n] - n * (log_totals[idx] + math.log(share))
            bound -= (n - mu) * (total - n) / (total - mu)
        maybe = (bound >= best - LLR_TOLERANCE) & (n > mu)
        if maybe.any():
            best = max(best, float(log_likelihood_ratio(n[maybe], mu[maybe], total).max()))
    return best


def _replicate_max(data: _Data, seed: np.random.SeedSequence) -> float:
    """Maximum ratio of one replication: the recent dates go to a random subset of cases."""
    rng = np.random.default_rng(seed)
    recent = int(data.window_totals[-1])
    if recent == 0:
        return 0.0
    chosen = rng.choice(data.case_location.size, size=recent, replace=False)
    per_unit = np.diff(np.r_[0, data.window_totals]).astype(np.int64)
    recency = np.repeat(np.arange(data.max_window), per_unit)
    return _max_ratio(data, _recent_counts(data, data.case_location[chosen], recency))


_WORKER_DATA: _Data | None = None


def _start_worker(data: _Data) -> None:
    global _WORKER_DATA
    _WORKER_DATA = data
    _keep_freed_memory()


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed memory in the worker: replications allocate and free the same
    few megabytes thousands of times, and by default those pages go back to the system and
    fault in again, which doubles the CPU time. Elsewhere than glibc this does nothing."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-1, 1 << 28)  # M_TRIM_THRESHOLD: keep up to 256 MiB free at the top
        libc.mallopt(-3, 1 << 25)  # M_MMAP_THRESHOLD: heap, not mmap, up to 32 MiB blocks
    except (OSError, AttributeError):
        pass


def _replicate_batch(seeds: list[np.random.SeedSequence]) -> list[float]:
    assert _WORKER_DATA is not None, "worker started without data"
    return [_replicate_max(_WORKER_DATA, s) for s in seeds]


def simulate_maxima(data: _Data, replications: int, seed: int | None, n_jobs: int) -> np.ndarray:
    """Maximum ratio of each replication; one seed stream per replication, so any ``n_jobs``
    gives the same answer.

    Workers are spawned, not forked: the caller may be a multi-threaded server or test runner.
    """
    seeds = np.random.SeedSequence(seed).spawn(replications)
    if n_jobs <= 1 or replications < 2:
        return np.array([_replicate_max(data, s) for s in seeds], dtype=float)
    size = -(-replications // (4 * n_jobs))  # a few batches per worker evens out the load
    batches = [seeds[i : i + size] for i in range(0, replications, size)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(n_jobs, initializer=_start_worker, initargs=(data,)) as pool:
        results = pool.map(_replicate_batch, batches)
    return np.fromiter(itertools.chain.from_iterable(results), float, replications)


# --------------------------------------------------------------------------- observed clusters


@dataclass(frozen=True)
class _Candidate:
    centre: int
    position: int  # last member of the circle in the flat cylinder arrays
    window: int  # number of units
    observed: int
    expected: float
    llr: float


def best_per_centre(data: _Data, evaluation: _Evaluation) -> list[_Candidate]:
    """Each centre's best high-rate cylinder, ties going to the smaller circle, then the
    shorter window (SaTScan keeps the first strictly better one it meets)."""
    positions = evaluation.positions
    totals = data.cylinders.totals[positions]
    best_llr = np.zeros(positions.size)
    best_window = np.full(positions.size, -1)
    observed = np.zeros(positions.size, dtype=np.int64)
    for w in range(data.max_window):
        n = evaluation.counts(w)
        mu = totals * (data.window_totals[w] / data.total)
        ok = _high_rate(data, n, mu)
        llr = np.zeros(positions.size)
        llr[ok] = log_likelihood_ratio(n[ok], mu[ok], data.total)
        better = llr > best_llr
        best_llr[better] = llr[better]
        best_window[better] = w
        observed[better] = n[better]
    found = np.flatnonzero(best_window >= 0)
    if found.size == 0:
        return []
    centres = data.cylinders.centre[positions[found]]
    order = np.lexsort((positions[found], -best_llr[found], centres))
    first = np.r_[True, centres[order][1:] != centres[order][:-1]]
    out = []
    for i in found[order[first]]:
        w = int(best_window[i])
        out.append(
            _Candidate(
                centre=int(data.cylinders.centre[positions[i]]),
                position=int(positions[i]),
                window=w + 1,
                observed=int(observed[i]),
                expected=float(totals[i] * (data.window_totals[w] / data.total)),
                llr=float(best_llr[i]),
            )
        )
    return out


def _members(cylinders: Cylinders, candidate: _Candidate) -> np.ndarray:
    start = cylinders.offsets[candidate.centre]
    return cylinders.members[start : candidate.position + 1]


def rank_candidates(
    cylinders: Cylinders, candidates: list[_Candidate], id_counts: np.ndarray
) -> list[_Candidate]:
    """SaTScan's order: ratio (within 1e-9), fewer ids, lower centre index.

    ``id_counts[m]`` is the number of ids at location ``m`` (SaTScan counts identifiers).
    """

    def key(c: _Candidate) -> tuple[float, int, int]:
        return (-c.llr, int(id_counts[_members(cylinders, c)].sum()), c.centre)

    ordered = sorted(candidates, key=key)
    # Sorting on the raw ratio then re-sorting runs of near-equal ratios mimics the tolerance.
    result: list[_Candidate] = []
    run: list[_Candidate] = []
    for c in ordered:
        if run and abs(run[0].llr - c.llr) >= LLR_TOLERANCE:
            result.extend(sorted(run, key=lambda r: key(r)[1:]))
            run = []
        run.append(c)
    result.extend(sorted(run, key=lambda r: key(r)[1:]))
    return result


def without_overlap(
    cylinders: Cylinders,
    candidates: list[_Candidate],
    xyz: np.ndarray,
    id_counts: np.ndarray,
    rule: OverlapRule = "geometric",
) -> list[_Candidate]:
    """Greedy "no geographical overlap": keep a cluster when it overlaps no kept one, by SaTScan's
    geometric rule (:func:`overlaps`) or, with ``rule="shared-location"``, when none of its
    locations is taken."""
    n_locations = len(xyz)
    limit = min(n_locations, MAX_RANKED_CLUSTERS)
    kept: list[_Candidate] = []
    if rule == "shared-location":
        taken = np.zeros(n_locations, dtype=bool)
        for c in candidates:
            members = _members(cylinders, c)
            if taken[members].any():
                continue
            taken[members] = True
            kept.append(c)
            if len(kept) >= limit:
                break
        return kept
    centres = np.empty(limit, dtype=np.int64)  # of the kept clusters, for a vectorised first pass
    radii = np.empty(limit)
    for c in candidates:
        count = len(kept)
        blocked = _overlaps_any(cylinders, xyz, id_counts, kept, centres[:count], radii[:count], c)
        if blocked:
            continue
        centres[count], radii[count] = c.centre, cylinders.radius[c.position]
        kept.append(c)
        if len(kept) >= limit:
            break
    return kept


def _overlaps_any(
    cylinders: Cylinders,
    xyz: np.ndarray,
    id_counts: np.ndarray,
    kept: list[_Candidate],
    centres: np.ndarray,
    radii: np.ndarray,
    candidate: _Candidate,
) -> bool:
    """Whether ``candidate`` overlaps one of the ``kept`` clusters (their centres and radii).

    SaTScan's first shortcut (circles too far apart), for all of them at once, then
    :func:`overlaps` for the few it leaves.
    """
    radius = float(cylinders.radius[candidate.position])
    apart = chord_km(xyz[centres], xyz[candidate.centre])
    disjoint = (np.abs(apart - (radii + radius)) > DISTANCE_TOLERANCE) & (apart > radii + radius)
    return any(
        overlaps(cylinders, xyz, id_counts, kept[i], candidate)
        for i in np.flatnonzero(~disjoint).tolist()
    )


def _centre_strictly_inside(apart, radius_one, radius_two) -> np.ndarray:
    return ((np.abs(apart - radius_one) > DISTANCE_TOLERANCE) & (apart <= radius_one)) | (
        (np.abs(apart - radius_two) > DISTANCE_TOLERANCE) & (apart <= radius_two)
    )


def _location_within(
    cylinders: Cylinders, xyz: np.ndarray, id_counts: np.ndarray, one: _Candidate, two: _Candidate
) -> bool:
    """SaTScan's location-to-radius test: does a location of the cluster with fewer ids (``one``,
    the kept cluster, on a tie) lie within the other's radius, equality within 1e-9 included?"""
    test, other = (one, two)
    if id_counts[_members(cylinders, one)].sum() > id_counts[_members(cylinders, two)].sum():
        test, other = (two, one)
    distances = chord_km(xyz[_members(cylinders, test)], xyz[other.centre])
    radius = float(cylinders.radius[other.position])
    # SaTScan: overlap unless macro_less_than(radius, distance, 1e-9).
    beyond = (np.abs(radius - distances) >= DISTANCE_TOLERANCE) & (radius < distances)
    return bool((~beyond).any())


def overlaps(
    cylinders: Cylinders, xyz: np.ndarray, id_counts: np.ndarray, one: _Candidate, two: _Candidate
) -> bool:
    """SaTScan's geometric overlap of two circular clusters (``one`` the more likely one):

    1. centres farther apart than r1 + r2 (by more than 1e-9): no overlap;
    2. a centre strictly inside the other circle (by more than 1e-9): overlap;
    3. otherwise overlap when a location of the cluster with fewer ids (``one`` on a tie) is at
       most the other's radius from its centre, or within 1e-9 of it.
    """
    r1, r2 = float(cylinders.radius[one.position]), float(cylinders.radius[two.position])
    apart = float(chord_km(xyz[one.centre], xyz[two.centre]))
    if abs(apart - (r1 + r2)) > DISTANCE_TOLERANCE and apart > r1 + r2:
        return False
    if _centre_strictly_inside(apart, r1, r2):
        return True
    return _location_within(cylinders, xyz, id_counts, one, two)


# --------------------------------------------------------------------------- entry point


def space_time_permutation_scan(
    *,
    location_ids: Sequence[Any],
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    dates: Sequence[date],
    counts: Sequence[int] | np.ndarray,
    params: ScanParams,
) -> list[Cluster]:
    """Run the prospective space-time permutation scan; clusters come most likely first.

    One row per case, or per location and date with ``counts`` cases. A row with count 0
    declares a location without cases: it is still a centre and a member of circles. Cases
    dated after ``params.end`` are ignored; cases before ``params.start`` are left out. All
    the other cases, however old, count in the margins (location totals, unit totals).
    """
    counts_arr = np.asarray(counts, dtype=np.int64)
    if (counts_arr < 0).any():
        raise ValueError("counts cannot be negative")
    locations, row_location = merge_locations(location_ids, np.asarray(lon), np.asarray(lat))
    ordinals = np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates))
    in_period = (ordinals <= params.end.toordinal()) & (counts_arr > 0)
    if params.start is not None:
        in_period &= ordinals >= params.start.toordinal()
    if not in_period.any():
        return []
    earliest = date.fromordinal(int(ordinals[in_period].min()))
    start = params.start or aligned_start(params.end, params.time_unit, earliest)
    starts = interval_starts(params.end, params.time_unit, start)
    if len(starts) < 3:  # fewer than two intervals: nothing can stand out in time
        return []
    data = _prepare(locations, row_location, ordinals, counts_arr, in_period, starts, params)
    observed = _recent_counts(data, *_observed_recent(data))
    id_counts = np.array([len(ids) for ids in locations.ids], dtype=np.int64)
    candidates = rank_candidates(data.cylinders, best_per_centre(data, observed), id_counts)
    clusters = without_overlap(data.cylinders, candidates, locations.xyz, id_counts, params.overlap)
    if not clusters:
        return []
    maxima = simulate_maxima(data, params.replications, params.seed, params.n_jobs)
    return _report(data, locations, clusters, maxima, starts, params)


def _prepare(
    locations: Locations,
    row_location: np.ndarray,
    ordinals: np.ndarray,
    counts: np.ndarray,
    in_period: np.ndarray,
    starts: list[date],
    params: ScanParams,
) -> _Data:
    bounds = np.array([d.toordinal() for d in starts], dtype=np.int64)
    n_intervals = bounds.size - 1
    interval = np.searchsorted(bounds, ordinals[in_period], side="right") - 1
    case_location = np.repeat(row_location[in_period], counts[in_period])
    recency = np.repeat(n_intervals - 1 - interval, counts[in_period])
    total = float(case_location.size)
    location_totals = np.bincount(case_location, minlength=len(locations)).astype(float)
    width = min(params.max_length, n_intervals)
    window_totals = np.cumsum(np.bincount(recency, minlength=n_intervals)[:width]).astype(float)
    cylinders = build_cylinders(
        locations.xyz, location_totals, params.max_radius_km, params.max_share
    )
    return _Data(
        cylinders=cylinders,
        total=total,
        min_cases=params.min_cases,
        window_totals=window_totals,
        case_location=case_location,
        recency=recency,
        n_locations=len(locations),
    )


def _observed_recent(data: _Data) -> tuple[np.ndarray, np.ndarray]:
    recent = data.recency < data.max_window
    return data.case_location[recent], data.recency[recent]


def _report(
    data: _Data,
    locations: Locations,
    clusters: list[_Candidate],
    maxima: np.ndarray,
    starts: list[date],
    params: ScanParams,
) -> list[Cluster]:
    replications = maxima.size
    out: list[Cluster] = []
    for i, c in enumerate(clusters):
        rank = 1 + int(np.count_nonzero(maxima >= c.llr - LLR_TOLERANCE))
        if replications == 0 and i >= 10:
            break
        beaten_by_all = replications > 0 and rank > replications
        if i > 0 and (c.llr < MIN_RATIO_TO_REPORT or beaten_by_all):
            continue
        p_value = rank / (replications + 1) if replications else None
        members = _members(data.cylinders, c)
        out.append(
            Cluster(
                location_ids=tuple(ident for m in members.tolist() for ident in locations.ids[m]),
                center=(float(locations.lon[c.centre]), float(locations.lat[c.centre])),
                radius_km=float(data.cylinders.radius[c.position]),
                start=starts[len(starts) - 1 - c.window],
                end=params.end,
                observed=c.observed,
                expected=c.expected,
                llr=c.llr,
                p_value=p_value,
                recurrence_interval_days=recurrence_interval_days(p_value, params.time_unit),
            )
        )
    return out


def recurrence_interval_days(p_value: float | None, unit: TimeUnit) -> float | None:
    """SaTScan's recurrence interval for one prospective analysis per time unit, in days."""
    if p_value is None:
        return None
    units = 1.0 / p_value
    days = units if unit == "day" else units / 12.0 * AVERAGE_DAYS_IN_YEAR
    return max(days, 1.0)


__all__ = [
    "CaseTable",
    "Cluster",
    "ScanParams",
    "aligned_start",
    "interval_starts",
    "log_likelihood_ratio",
    "recurrence_interval_days",
    "space_time_permutation_scan",
    "summarize",
    "to_cartesian",
]
