"""The workshop's open questions, each answered by a contingency table and a test.

1. Does the economic model go with different solidarity indicators (reciprocity, several
   kinds of actors, accessibility)?
2. Do multi-actor initiatives differ from single-actor ones (reciprocity, accessibility,
   digital-only)?

Input: a table of initiatives with the Initiative model's columns ``economic_model``,
``reciprocity``, ``actor_types`` (list), ``step_free_access``, ``usable_without_internet``,
``collaboration_mode`` and optionally ``is_synthetic``. None, NaN, "" and [] are unknown;
rows unknown on either variable are left out of a table and counted in ``n_excluded``.

Test: Pearson's chi-square without continuity correction when every expected count is at
least 5; otherwise Fisher's exact test, exact for 2x2 and, for larger tables, SciPy's
Fisher-Freeman-Halton statistic with a seeded Monte Carlo p-value over tables with the
observed margins. Effect size: signed phi and the odds ratio with Woolf's 95% interval for
2x2 (Haldane-Anscombe +0.5 when a cell is zero), bias-corrected Cramér's V (Bergsma 2013)
otherwise. Within a question, ``q_value`` is the Benjamini-Hochberg adjusted p-value.

Caveats are codes the UI translates.
"""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from radar.analysis.randomness import DEFAULT_SEED
from radar.analysis.signals import known_value

OBSERVATIONAL = "observational"  # association, not cause
SELF_DECLARED = "self_declared"  # answers given by the initiatives themselves
SMALL_NUMBERS = "small_numbers"  # an expected count below 5 or fewer than 30 initiatives
SYNTHETIC = "synthetic_data_included"  # fictional demo initiatives among the rows
MANY_UNKNOWNS = "many_unknowns"  # more than 20% of initiatives left out as unknown
ZERO_CELL = "zero_cell_corrected"  # odds ratio computed with +0.5 in every cell
NOT_TESTABLE = "not_testable"  # fewer than two categories on a side once unknowns are out

ECONOMIC_MODELS = ("free", "paid", "pay_what_you_can", "membership")
MIN_EXPECTED = 5
MIN_N = 30
MAX_UNKNOWN_SHARE = 0.2


@dataclass(frozen=True)
class Association:
    row: str
    column: str
    table: pd.DataFrame  # counts, rows x columns, unknowns excluded
    test: str  # "chi2" | "fisher" | "fisher_monte_carlo" | "none"
    statistic: float  # chi2; odds ratio (fisher 2x2); table probability (fisher r x c)
    p_value: float
    effect_measure: str  # "phi" | "cramers_v_corrected"
    effect_size: float
    odds_ratio: float | None  # 2x2 only: odds of column True in row True vs row False
    odds_ratio_ci: tuple[float, float] | None
    n: int
    n_excluded: int
    caveats: tuple[str, ...]
    q_value: float = np.nan
    n_synthetic: int = 0  # fictional demonstration initiatives among the n answers


# ---------------------------------------------------------------------------------------------
# Indicators
# ---------------------------------------------------------------------------------------------


def _bool(value) -> bool | None:
    value = known_value(value)
    return None if value is None else bool(value)


def _either(a, b) -> bool | None:
    """Three-valued OR: one yes is enough; no only when both are a known no."""
    a, b = _bool(a), _bool(b)
    if a or b:
        return True
    return None if a is None or b is None else False


def indicators(initiatives: pd.DataFrame) -> pd.DataFrame:
    """Per initiative: economic_model, reciprocity, multi_actor, accessible, digital_only,
    is_synthetic. Values True/False/None (the model: a code or None)."""
    mode = initiatives["collaboration_mode"].map(known_value)
    actors = initiatives["actor_types"].map(known_value)
    synthetic = initiatives.get("is_synthetic", pd.Series(False, index=initiatives.index))
    steps, offline = initiatives["step_free_access"], initiatives["usable_without_internet"]
    return pd.DataFrame(
        {
            "economic_model": initiatives["economic_model"].map(known_value),
            "reciprocity": initiatives["reciprocity"].map(_bool),
            "multi_actor": actors.map(lambda a: None if a is None else len(set(a)) > 1),
            "accessible": [_either(a, b) for a, b in zip(steps, offline, strict=True)],
            "digital_only": mode.map(lambda m: None if m is None else m == "digital"),
            "is_synthetic": synthetic.map(lambda v: _bool(v) is True).astype(bool),
        },
        index=initiatives.index,
    )


# ---------------------------------------------------------------------------------------------
# Statistics on a table
# ---------------------------------------------------------------------------------------------


def expected_counts(table) -> np.ndarray:
    table = np.asarray(table, dtype=float)
    return np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()


def pearson_chi2(table) -> tuple[float, float, int]:
    """Chi-square statistic, p-value, degrees of freedom (no continuity correction)."""
    result = stats.chi2_contingency(np.asarray(table), correction=False)
    return float(result.statistic), float(result.pvalue), int(result.dof)


def signed_phi(table) -> float:
    """(ad - bc) / sqrt of the four margins; its square is chi2 / n."""
    (a, b), (c, d) = np.asarray(table, dtype=float)
    return float((a * d - b * c) / np.sqrt((a + b) * (c + d) * (a + c) * (b + d)))


def cramers_v_corrected(table) -> float:
    """Bergsma's (2013) bias-corrected Cramér's V; plain V overstates small samples."""
    table = np.asarray(table, dtype=float)
    n, (r, k) = table.sum(), table.shape
    phi2 = max(0.0, pearson_chi2(table)[0] / n - (k - 1) * (r - 1) / (n - 1))
    r_corr, k_corr = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    denominator = min(k_corr - 1, r_corr - 1)
    return float(np.sqrt(phi2 / denominator)) if denominator > 0 else np.nan


def odds_ratio_woolf(table, confidence: float = 0.95) -> tuple[float, float, float, bool]:
    """Sample odds ratio ad/bc with Woolf's (log-normal) interval.

    With a zero cell both are computed after adding 0.5 to every cell (Haldane-Anscombe);
    the last value says whether that happened.
    """
    table = np.asarray(table, dtype=float)
    corrected = bool((table == 0).any())
    (a, b), (c, d) = table + 0.5 if corrected else table
    log_or = np.log(a * d / (b * c))
    half_width = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return float(np.exp(log_or)), *np.exp([log_or - half_width, log_or + half_width]), corrected


def independence_test(table, *, seed: int = DEFAULT_SEED, n_resamples: int = 9999):
    """(test name, statistic, p-value) by the rule in the module docstring."""
    table = np.asarray(table)
    if (expected_counts(table) >= MIN_EXPECTED).all():
        statistic, p_value, _ = pearson_chi2(table)
        return "chi2", statistic, p_value
    if table.shape == (2, 2):
        result = stats.fisher_exact(table)
        return "fisher", float(result.statistic), float(result.pvalue)
    method = stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
    result = stats.fisher_exact(table, method=method)
    # SciPy returns shape-(1,) arrays for some tables.
    return "fisher_monte_carlo", np.ravel(result.statistic).item(), np.ravel(result.pvalue).item()


# ---------------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------------


def _order(values) -> list:
    """True before False, economic models in their usual order, anything else after."""
    preferred = [True, False, *ECONOMIC_MODELS]
    present = list(dict.fromkeys(values))
    return [v for v in preferred if v in present] + sorted(
        (v for v in present if v not in preferred), key=str
    )


def crosstab(frame: pd.DataFrame, row: str, column: str) -> tuple[pd.DataFrame, pd.Series]:
    """Counts over rows known on both variables, and the mask of those rows."""
    known = frame[row].notna() & frame[column].notna()
    rows, columns = frame.loc[known, row].tolist(), frame.loc[known, column].tolist()
    table = pd.crosstab(pd.Series(rows, name=row), pd.Series(columns, name=column))
    return table.reindex(index=_order(rows), columns=_order(columns)), known


def associate(
    frame: pd.DataFrame, row: str, column: str, *, seed: int = DEFAULT_SEED
) -> Association:
    """Table, test, effect size and caveats for two columns of :func:`indicators`."""
    table, known = crosstab(frame, row, column)
    n = int(table.to_numpy().sum())
    caveats = [OBSERVATIONAL, SELF_DECLARED]
    if frame.loc[known, "is_synthetic"].any():
        caveats.append(SYNTHETIC)
    if (~known).sum() > MAX_UNKNOWN_SHARE * len(frame):
        caveats.append(MANY_UNKNOWNS)
    base = {
        "row": row,
        "column": column,
        "table": table,
        "n": n,
        "n_excluded": int((~known).sum()),
        "n_synthetic": int(frame.loc[known, "is_synthetic"].sum()),
    }
    if min(table.shape) < 2:
        return Association(**base, **_untestable(), caveats=(*caveats, NOT_TESTABLE))
    test, statistic, p_value = independence_test(table, seed=seed)
    if test != "chi2" or n < MIN_N:
        caveats.append(SMALL_NUMBERS)
    effect = _effect(table.to_numpy())
    if effect.pop("zero_cell"):
        caveats.append(ZERO_CELL)
    return Association(
        **base, test=test, statistic=statistic, p_value=p_value, **effect, caveats=tuple(caveats)
    )


def _untestable() -> dict:
    return {
        "test": "none",
        "statistic": np.nan,
        "p_value": np.nan,
        "effect_measure": "none",
        "effect_size": np.nan,
        "odds_ratio": None,
        "odds_ratio_ci": None,
    }


def _effect(table: np.ndarray) -> dict:
    if table.shape != (2, 2):
        return {
            "effect_measure": "cramers_v_corrected",
            "effect_size": cramers_v_corrected(table),
            "odds_ratio": None,
            "odds_ratio_ci": None,
            "zero_cell": False,
        }
    odds_ratio, low, high, zero_cell = odds_ratio_woolf(table)
    return {
        "effect_measure": "phi",
        "effect_size": signed_phi(table),
        "odds_ratio": odds_ratio,
        "odds_ratio_ci": (low, high),
        "zero_cell": zero_cell,
    }


def _with_q_values(results: dict[str, Association]) -> dict[str, Association]:
    """BH over the tests of one question: several looks at the same data."""
    tested = {k: r for k, r in results.items() if not np.isnan(r.p_value)}
    if not tested:
        return results
    q = stats.false_discovery_control([r.p_value for r in tested.values()], method="bh")
    adjusted = zip(tested.items(), q, strict=True)
    return results | {k: replace(r, q_value=float(v)) for (k, r), v in adjusted}


def economic_model_question(initiatives: pd.DataFrame, *, seed: int = DEFAULT_SEED):
    """Economic model x reciprocity / multi_actor / accessible."""
    frame = indicators(initiatives)
    outcomes = ("reciprocity", "multi_actor", "accessible")
    results = {o: associate(frame, "economic_model", o, seed=seed) for o in outcomes}
    return _with_q_values(results)


def multi_actor_question(initiatives: pd.DataFrame, *, seed: int = DEFAULT_SEED):
    """Multi-actor (True/False) x reciprocity / accessible / digital_only."""
    frame = indicators(initiatives)
    outcomes = ("reciprocity", "accessible", "digital_only")
    results = {o: associate(frame, "multi_actor", o, seed=seed) for o in outcomes}
    return _with_q_values(results)
