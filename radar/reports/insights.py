"""The workshop's open questions answered with the data: does the economic model go with
different solidarity indicators; do multi-actor initiatives differ? Contingency tables,
chi-square or Fisher's exact test, effect sizes, and caveats in words."""

from math import sqrt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from initiatives.selectors import InitiativeFilters
from radar.parameters import random_seed
from radar.reports import cache
from radar.reports.reading import initiative_rows
from radar.reports.words import number

QUESTIONS = ("economic_model", "multi_actor")


def workshop_insights() -> dict:
    seed = random_seed()
    values, stale = cache.cached_result("insights", {"seed": seed}, lambda: _compute(seed))
    for question in QUESTIONS:
        for result in values[question].values():
            result["caveat_texts"] = [_(CAVEATS[c]) for c in result["caveats"] if c in CAVEATS]
    return {**values, "stale": stale}


def _compute(seed: int) -> dict:
    # The scientific stack loads here, when a result is computed, not on a cache hit.
    from radar.analysis import insights
    from radar.reports import frames

    frame = frames.attributes(
        frames.initiatives_frame(initiative_rows(level="commune", filters=InitiativeFilters()))
    )
    frame = frame[frame["active"]]

    def association(result: insights.Association) -> dict:
        table, finite = result.table, frames.finite
        return {
            "rows": result.row,
            "columns": result.column,
            "table": {
                str(index): {str(column): int(table.loc[index, column]) for column in table.columns}
                for index in table.index
            },
            "test": result.test,
            "statistic": finite(result.statistic),
            "p_value": finite(result.p_value),
            "q_value": finite(result.q_value),
            "effect_measure": result.effect_measure,
            "effect_size": finite(result.effect_size),
            "odds_ratio": finite(result.odds_ratio),
            "odds_ratio_ci": (
                [finite(v) for v in result.odds_ratio_ci] if result.odds_ratio_ci else None
            ),
            "n": result.n,
            "n_excluded": result.n_excluded,
            "n_synthetic": result.n_synthetic,
            "caveats": list(result.caveats),
        }

    economic = insights.economic_model_question(frame, seed=seed)
    multi_actor = insights.multi_actor_question(frame, seed=seed)
    return {
        "economic_model": {k: association(v) for k, v in economic.items()},
        "multi_actor": {k: association(v) for k, v in multi_actor.items()},
        "initiatives": len(frame),
        "synthetic": int(frame["is_synthetic"].sum()) if len(frame) else 0,
        "seed": seed,
    }


# --- Words ---------------------------------------------------------------------------------

CAVEATS = {
    "observational": gettext_noop("Observational data: an association is not a cause."),
    "self_declared": gettext_noop("The answers are declared by the initiatives themselves."),
    "small_numbers": gettext_noop("Small numbers: the test has little power."),
    "synthetic_data_included": gettext_noop("Fictional demonstration initiatives are included."),
    "many_unknowns": gettext_noop("Many initiatives did not answer; they are left out."),
    "zero_cell_corrected": gettext_noop(
        "A cell is empty: 0.5 was added to every cell for the odds ratio."
    ),
    "not_testable": gettext_noop("Not enough answers to test."),
}

# The test, the effect size and the verdict in words, for the pages (the API keeps the codes):
# where most answers come from fictional demonstration initiatives, the verdict says so
# instead of "significant" alone.

TESTS = {
    "chi2": gettext_noop("Pearson’s chi-square test"),
    "fisher": gettext_noop("Fisher’s exact test"),
    "fisher_monte_carlo": gettext_noop("Fisher’s exact test (p-value by simulation)"),
    "none": gettext_noop("not tested"),
}
MEASURES = {
    "phi": gettext_noop("phi coefficient"),
    "cramers_v_corrected": gettext_noop("Cramér’s V, corrected for small samples"),
}
# Cohen's (1988) conventions for phi and w; Cramér's V is compared with them divided by the
# square root of min(rows, columns) - 1.
STRENGTHS = (
    (0.1, gettext_noop("negligible association")),
    (0.3, gettext_noop("weak association")),
    (0.5, gettext_noop("moderate association")),
    (float("inf"), gettext_noop("strong association")),
)
SIGNIFICANCE = 0.05  # on the Benjamini-Hochberg corrected p-value


def mostly_synthetic(result: dict) -> bool:
    return bool(result.get("n") and 2 * result.get("n_synthetic", 0) > result["n"])


def effect_words(result: dict) -> str:
    size, measure = result.get("effect_size"), result.get("effect_measure")
    if size is None or measure not in MEASURES:
        return "—"
    table = result.get("table") or {}
    columns = len(next(iter(table.values()), {}))
    scale = sqrt(max(min(len(table), columns) - 1, 1)) if measure != "phi" else 1
    strength = next(_(words) for limit, words in STRENGTHS if abs(size) < limit / scale)
    return _("%(size)s: %(strength)s (%(measure)s)") % {
        "size": number(size, 2),
        "strength": strength,
        "measure": _(MEASURES[measure]),
    }


def answers_words(result: dict) -> str:
    n, synthetic = result.get("n", 0), result.get("n_synthetic", 0)
    if not synthetic:
        return number(n, 0)
    return ngettext(
        "%(n)s, of which %(synthetic)s is fictional",
        "%(n)s, of which %(synthetic)s are fictional",
        synthetic,
    ) % {"n": number(n, 0), "synthetic": number(synthetic, 0)}


def verdict_words(result: dict) -> str:
    q = result.get("q_value")
    if q is None:
        return _("not tested: too few answers")
    value = number(q, 3)
    if q >= SIGNIFICANCE:
        return _("%(q)s: not significant") % {"q": value}
    if mostly_synthetic(result):
        return _(
            "%(q)s: significant on answers that are mostly fictional (%(synthetic)s of "
            "%(n)s); it shows how the test works, not what happens on the territory"
        ) % {
            "q": value,
            "synthetic": number(result["n_synthetic"], 0),
            "n": number(result["n"], 0),
        }
    return _("%(q)s: significant") % {"q": value}


def describe_insights(insights: dict) -> dict:
    """The insights with, on each result, `test_label`, `answers_label`, `effect_label` and
    `verdict_label`, and on the whole, `mostly_synthetic`."""
    for question in ("economic_model", "multi_actor"):
        for result in insights.get(question, {}).values():
            result["test_label"] = _(TESTS.get(result.get("test"), TESTS["none"]))
            result["answers_label"] = answers_words(result)
            result["effect_label"] = effect_words(result)
            result["verdict_label"] = verdict_words(result)
    total = insights.get("initiatives") or 0
    insights["mostly_synthetic"] = bool(total and 2 * insights.get("synthetic", 0) > total)
    return insights
