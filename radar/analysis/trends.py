"""Space-time hot-spot trends per territory, after ESRI's Emerging Hot Spot Analysis.

Plain functions over numpy arrays and GeoDataFrames; nothing here knows the ORM or HTTP.

Method
------
1. **Cube.** One time step per calendar year of initiative *start* dates; the value of a bin
   is the **count** of initiatives that started in the territory that year (ESRI's default
   analysis variable, COUNT). Not per capita: a count says where starts concentrate, and a
   yearly per-capita rate of a 200-inhabitant commune is noise.
2. **Gi\\* per time step.** Each year's counts get the local Getis-Ord Gi\\* as in
   :mod:`radar.analysis.clusters` (its Queen contiguity with the territory itself, seeded
   conditional permutations, Benjamini-Hochberg over the territories of that year), but
   with a two-sided p-value that counts ties in both tails (see gi_star_two_sided). A bin
   is a significant *hot* (+1) / *cold* (-1) spot when ``q <= alpha``, by the sign of z.
   Power: the smallest two-sided p is 2 / (P + 1), so with BH over N territories a block of
   k hot territories needs ``2 / (P + 1) * N / k <= alpha``. For the 538 Gironde communes,
   P = 999 cannot find a block of fewer than ~22 communes; P = 9999 finds one of 3.
   ESRI takes p from the normal distribution of z instead (``permutations=0`` here). Yearly
   counts of starts are sparse and a few territories hold many, so G is right-skewed and
   the normal tail far too thin: on the Gironde demo's 2026 starts, a 10-commune
   neighbourhood holding 11 starts has z = 5.4 (normal p ~ 1e-7) but a permutation p of
   0.037. We default to permutations, and say so.
   Deviation from ESRI: the neighbourhood is spatial only (ESRI's "neighborhood time step"
   also pools earlier time steps); a year in which nothing started has no statistic.
3. **Trend.** For each territory, the Mann-Kendall test on its series of Gi\\* z-scores
   (ESRI: "these hot and cold spot trends are then evaluated using the Mann-Kendall trend
   test"), with the tie correction of the variance and the continuity correction.
4. **Pattern.** The definitions below, applied to the +1/0/-1 matrix and the trend.

Pattern definitions (ESRI, "How Emerging Hot Spot Analysis works",
https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm;
checked against the Japanese edition of that page (doc.arcgis.com/ja/allsource, new to
sporadic), the French and Spanish ones (new) and R's sfdep, which implements them in
R/emerging-hostpot-classifications.R):

- *No pattern detected*: "Does not fall into any of the hot or cold spot patterns defined
  below."
- *New hot spot*: "A location that is a statistically significant hot spot for the final time
  step and has never been a statistically significant hot spot before."
- *Consecutive hot spot*: "A location with a single uninterrupted run of at least two
  statistically significant hot spot bins in the final time-step intervals. The location has
  never been a statistically significant hot spot prior to the final hot spot run and less
  than 90 percent of all bins are statistically significant hot spots."
- *Intensifying hot spot*: "A location that has been a statistically significant hot spot
  for 90 percent of the time-step intervals, including the final time step. In addition,
  the intensity of clustering of high counts in each time step is increasing overall and
  that increase is statistically significant."
- *Persistent hot spot*: "A location that has been a statistically significant hot spot for
  90 percent of the time-step intervals with no discernible trend in the intensity of
  clustering over time."
- *Diminishing hot spot*: "A location that has been a statistically significant hot spot for
  90 percent of the time-step intervals, including the final time step. In addition, the
  intensity of clustering in each time step is decreasing overall and that decrease is
  statistically significant."
- *Sporadic hot spot*: "A statistically significant hot spot for the final time-step interval
  with a history of also being an on-again and off-again hot spot. Less than 90 percent
  of the time-step intervals have been statistically significant hot spots and none of the
  time-step intervals have been statistically significant cold spots."
- *Oscillating hot spot*: "A statistically significant hot spot for the final time-step
  interval that has a history of also being a statistically significant cold spot during a
  prior time step. Less than 90 percent of the time-step intervals have been
  statistically significant hot spots."
- *Historical hot spot*: "The most recent time period is not hot, but at least ninety
  percent of the time-step intervals have been statistically significant hot spots."
- The cold-spot patterns mirror these, with "cold" for "hot" and a decreasing z for an
  intensifying cold spot.

How we read them where the text leaves room:

- "90 percent of the time-step intervals" is ``#hot >= 0.9 n`` (9 of 10 years).
- A significant trend is a Mann-Kendall ``p < alpha``; its direction is the sign of S.
- The definitions overlap; the first that matches wins, in ESRI's order (new, consecutive,
  intensifying, persistent, diminishing, sporadic, oscillating, historical), hot before
  cold, with two exceptions: *historical* is tried last of all (so hot in 9 years and cold
  in the last is a new cold spot, not a historical hot spot), and *persistent* needs the
  final step hot (a location hot for 90 % of the steps but not in the last is the very
  definition of *historical*). So a first-ever hot spot after earlier cold spots is *new*,
  not *oscillating*: ESRI's "new" only asks that it was never *hot* before.
"""

import warnings
from math import erfc, sqrt
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal import weights
from scipy.stats import norm

from radar.analysis import clusters
from radar.analysis.randomness import DEFAULT_SEED

HOT, COLD, NOT_SIGNIFICANT = 1, -1, 0
NINETY_PERCENT = 0.9
NO_PATTERN = "no_pattern"
KINDS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic")
KINDS += ("oscillating", "historical")


# ---------------------------------------------------------------------------------------------
# Mann-Kendall
# ---------------------------------------------------------------------------------------------


class MannKendall(NamedTuple):
    s: int  # sum over i < j of sign(x_j - x_i)
    var_s: float  # variance of S under H0, corrected for ties
    z: float  # normal score, with continuity correction unless asked otherwise
    p: float  # two-sided
    tau: float  # Kendall's tau-b between time and x (time has no ties)


def mann_kendall(x, *, continuity: bool = True) -> MannKendall:
    """Mann-Kendall trend test of a series in time order; NaN values are left out.

    ``Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18`` over tie groups of size t;
    ``Z = (S - 1) / sqrt(Var S)`` if S > 0, ``(S + 1) / sqrt(Var S)`` if S < 0, else 0.
    Without continuity correction, Z and p equal those of
    ``scipy.stats.kendalltau(range(n), x, method="asymptotic")``.
    Fewer than 3 values, or all tied: S = 0 and NaN z, p, tau (nothing to test).
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    upper = np.triu_indices(n, k=1)
    s = int(np.sign(x[None, :] - x[:, None])[upper].sum())
    ties = np.unique(x, return_counts=True)[1]
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18
    if n < 3 or var_s <= 0:
        return MannKendall(s, float(var_s), np.nan, np.nan, np.nan)
    shift = np.sign(s) if continuity else 0
    z = (s - shift) / sqrt(var_s)
    pairs = n * (n - 1) / 2
    tau = s / sqrt(pairs * (pairs - np.sum(ties * (ties - 1) / 2)))
    return MannKendall(s, float(var_s), float(z), erfc(abs(z) / sqrt(2)), float(tau))


def mann_kendall_rows(z_scores: np.ndarray, *, continuity: bool = True) -> pd.DataFrame:
    """Mann-Kendall of each row (a territory's series): columns s, var_s, z, p, tau."""
    tests = [mann_kendall(row, continuity=continuity) for row in np.asarray(z_scores, float)]
    return pd.DataFrame(tests, columns=list(MannKendall._fields))


# ---------------------------------------------------------------------------------------------
# Gi* per time step
# ---------------------------------------------------------------------------------------------


def yearly_counts(territories, initiatives, years) -> pd.DataFrame:
    """Initiatives started per territory (rows, in ``territories`` order) and year (columns).

    ``initiatives`` needs ``territory`` (code) and ``start_date`` (date-like; missing ones
    and those outside ``years`` are left out, as are unknown territories).
    """
    started = pd.to_datetime(initiatives["start_date"], errors="coerce")
    frame = pd.DataFrame({"territory": initiatives["territory"], "year": started.dt.year})
    frame = frame.dropna()
    table = pd.crosstab(frame["territory"], frame["year"].astype(int))
    return table.reindex(index=territories["code"], columns=list(years), fill_value=0)


class YearlyHotSpots(NamedTuple):
    z: np.ndarray  # territories x years, Gi* z-scores (NaN: no statistic)
    q: np.ndarray  # BH q-values over the territories of each year
    states: np.ndarray  # HOT / COLD / NOT_SIGNIFICANT


def yearly_hot_spots(
    territories: gpd.GeoDataFrame,
    counts,
    *,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
) -> YearlyHotSpots:
    """Gi* of each column of ``counts`` (territories x years), one Queen weights for all."""
    counts = np.asarray(counts, dtype=float)
    w = clusters.queen_weights(territories.reset_index(drop=True))
    z, q = np.full(counts.shape, np.nan), np.full(counts.shape, np.nan)
    for year in range(counts.shape[1]):
        z[:, year], q[:, year] = _one_year(counts[:, year], w, permutations, seed + year)
    significant = (q <= alpha) & np.isfinite(z)  # NaN compares False
    states = np.where(significant, np.sign(z), NOT_SIGNIFICANT).astype(int)
    return YearlyHotSpots(z, q, states)


def _one_year(y: np.ndarray, w: weights.W, permutations: int, seed: int):
    if y.size < 3 or y.sum() <= 0 or np.ptp(y) == 0:  # Gi* needs a positive total, a spread
        return np.nan, np.nan
    z, p = gi_star_two_sided(y, w, permutations=permutations, seed=seed)
    return z, clusters.benjamini_hochberg(p)


def gi_star_two_sided(y: np.ndarray, w: weights.W, *, permutations: int, seed: int):
    """Gi* z-scores (analytical, as ESRI maps them) and two-sided p-values: from
    ``permutations`` conditional permutations, or, with ``permutations=0``, from the normal
    distribution of z as ESRI's Hot Spot Analysis does. The normal approximation is
    anti-conservative for sparse counts (a right-skewed G): see the module docstring.

    ``p = min(1, 2 min(#{sim >= G} + 1, #{sim <= G} + 1) / (P + 1))``, counting ties in both
    tails. esda's "directed" p-value (used by clusters.rate_clusters) counts the lower tail
    as ``#{sim < G}``: for counts, a territory whose whole neighbourhood started nothing has
    G = 0 = every simulated G, hence p = 1 / (P + 1) -- a "significant cold spot" made of
    ties. Sparse yearly counts are full of such zeros.

    The two tails come from esda's "greater" (``#{sim >= G}``) and "lesser" (``#{sim <= G}``)
    p-values over the same permutations (the same seed draws the same ones), so no simulated
    value is kept: memory follows the number of territories, not territories x permutations.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-variance years: their z is NaN, untested below
        if permutations:
            tails = [
                clusters.local_g_star(
                    y, w, permutations=permutations, seed=seed, alternative=alternative
                )
                for alternative in ("greater", "lesser")
            ]
            # esda gives (count + 1) / (P + 1) in float32: back to the exact counts.
            upper, lower = (
                np.rint(np.asarray(g.p_sim, dtype=float) * (permutations + 1)) for g in tails
            )
            g = tails[0]
        else:
            g = clusters.local_g_star(y, w, permutations=0, seed=seed, alternative="two-sided")
    z = np.asarray(g.Zs, dtype=float).copy()
    if permutations:
        p = np.minimum(1.0, 2.0 * np.minimum(upper, lower) / (permutations + 1))
    else:
        p = 2.0 * norm.sf(np.abs(z))
    cardinalities = np.array([w.cardinalities[i] for i in w.id_order])
    untested = (cardinalities == 0) | ~np.isfinite(z)  # an island is its own neighbourhood
    z[untested], p[untested] = np.nan, np.nan
    return z, p


# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------


def classify(states, trend_s, trend_p, *, alpha: float = 0.05) -> np.ndarray:
    """The pattern code of each row of ``states`` (territories x time steps of HOT / COLD /
    NOT_SIGNIFICANT), given its Mann-Kendall S and p on the Gi* z-scores."""
    states = np.asarray(states, dtype=int)
    return np.array(
        [
            classify_series(row, s, p, alpha=alpha)
            for row, s, p in zip(states, trend_s, trend_p, strict=True)
        ],
        dtype=object,
    )


def classify_series(states, trend_s: float, trend_p: float, *, alpha: float = 0.05) -> str:
    """The pattern of one location (see the module docstring for definitions and order)."""
    states = np.asarray(states, dtype=int)
    trend = np.sign(trend_s) if trend_p < alpha else 0  # NaN p: no trend
    for sign, spot in ((HOT, "hot"), (COLD, "cold")):
        kind = _kind(states * sign, trend * sign)
        if kind:
            return f"{kind}_{spot}_spot"
    for sign, spot in ((HOT, "hot"), (COLD, "cold")):
        if _historical(states * sign == HOT):
            return f"historical_{spot}_spot"
    return NO_PATTERN


def _kind(states: np.ndarray, trend: int) -> str:
    """The non-historical hot-spot pattern of a series oriented so that HOT is the subject."""
    hot, cold = states == HOT, states == COLD
    if not hot[-1]:
        return ""
    mostly_hot = hot.mean() >= NINETY_PERCENT
    final_run = _final_run_length(hot)
    if hot.sum() == 1:
        return "new"
    if final_run >= 2 and final_run == hot.sum() and not mostly_hot:
        return "consecutive"
    if mostly_hot:
        return {1: "intensifying", 0: "persistent", -1: "diminishing"}[trend]
    return "oscillating" if cold.any() else "sporadic"


def _final_run_length(hot: np.ndarray) -> int:
    not_hot = np.flatnonzero(~hot)
    return hot.size if not_hot.size == 0 else hot.size - 1 - not_hot[-1]


def _historical(hot: np.ndarray) -> bool:
    return not hot[-1] and hot.mean() >= NINETY_PERCENT


# ---------------------------------------------------------------------------------------------
# Everything together
# ---------------------------------------------------------------------------------------------


def hot_spot_trends(
    territories: gpd.GeoDataFrame,
    initiatives: pd.DataFrame,
    years,
    *,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emerging hot-spot patterns of initiative starts per territory over ``years``.

    Returns two tables indexed by territory code:
    ``summary`` (pattern, mann_kendall_s, mann_kendall_z, mann_kendall_tau, trend_p,
    hot_years, cold_years) and ``yearly`` (long: territory, year -> started, z, q, state).
    """
    years = list(years)
    counts = yearly_counts(territories, initiatives, years)
    spots = yearly_hot_spots(
        territories, counts.to_numpy(), permutations=permutations, alpha=alpha, seed=seed
    )
    trend = mann_kendall_rows(spots.z)
    codes = pd.Index(territories["code"], name="territory")
    summary = pd.DataFrame(
        {
            "pattern": classify(spots.states, trend["s"], trend["p"], alpha=alpha),
            "mann_kendall_s": trend["s"].to_numpy(),
            "mann_kendall_z": trend["z"].to_numpy(),
            "mann_kendall_tau": trend["tau"].to_numpy(),
            "trend_p": trend["p"].to_numpy(),
            "hot_years": _years_in_state(years, spots.states, HOT),
            "cold_years": _years_in_state(years, spots.states, COLD),
        },
        index=codes,
    )
    return summary, _yearly_table(codes, years, counts.to_numpy(), spots)


def _years_in_state(years: list, states: np.ndarray, state: int) -> list[list]:
    return [[y for y, s in zip(years, row, strict=True) if s == state] for row in states]


def _yearly_table(codes, years, counts, spots: YearlyHotSpots) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([codes, years], names=["territory", "year"])
    return pd.DataFrame(
        {
            "started": counts.ravel().astype(int),
            "z": spots.z.ravel(),
            "q": spots.q.ravel(),
            "state": spots.states.ravel(),
        },
        index=index,
    )
