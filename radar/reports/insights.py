"""The workshop's open questions answered with the data: does the economic model go with
different solidarity indicators; do multi-actor initiatives differ? Contingency tables,
chi-square or Fisher's exact test, effect sizes, and caveats in words."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.selectors import InitiativeFilters
from radar.parameters import random_seed
from radar.reports import cache
from radar.reports.reading import initiative_rows

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
