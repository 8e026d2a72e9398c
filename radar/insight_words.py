"""The workshop insights in words for the pages: the test's name, the effect size's strength,
what a corrected p-value means, and, where most answers come from fictional demonstration
initiatives, a verdict that says so instead of "significant" alone. The API keeps the codes."""

from math import sqrt

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

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
SIGNIFICANCE = 0.05


def _number(value: float, decimals: int) -> str:
    return number_format(value, decimal_pos=decimals, use_l10n=True)


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
        "size": _number(size, 2),
        "strength": strength,
        "measure": _(MEASURES[measure]),
    }


def answers_words(result: dict) -> str:
    n, synthetic = result.get("n", 0), result.get("n_synthetic", 0)
    if not synthetic:
        return _number(n, 0)
    return ngettext(
        "%(n)s, of which %(synthetic)s is fictional",
        "%(n)s, of which %(synthetic)s are fictional",
        synthetic,
    ) % {"n": _number(n, 0), "synthetic": _number(synthetic, 0)}


def verdict_words(result: dict) -> str:
    q = result.get("q_value")
    if q is None:
        return _("not tested: too few answers")
    value = _number(q, 3)
    if q >= SIGNIFICANCE:
        return _("%(q)s: not significant") % {"q": value}
    if mostly_synthetic(result):
        return _(
            "%(q)s: significant on answers that are mostly fictional (%(synthetic)s of "
            "%(n)s); it shows how the test works, not what happens on the territory"
        ) % {
            "q": value,
            "synthetic": _number(result["n_synthetic"], 0),
            "n": _number(result["n"], 0),
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
