import itertools
import math

import numpy as np
import pandas as pd
import pytest

from radar.analysis import insights
from radar.analysis.randomness import DEFAULT_SEED

Z_975 = 1.959963984540054


def frame_from_table(table, row, column, row_values=(True, False), column_values=(True, False)):
    """Indicator rows reproducing a contingency table."""
    records = [
        {row: r, column: c, "is_synthetic": False}
        for (r, c), count in zip(
            itertools.product(row_values, column_values), np.ravel(table), strict=True
        )
        for _ in range(count)
    ]
    return pd.DataFrame(records)


def raw_initiative(**fields):
    row = {
        "economic_model": "free",
        "reciprocity": True,
        "actor_types": ["associative"],
        "step_free_access": True,
        "usable_without_internet": True,
        "collaboration_mode": "in_person",
        "is_synthetic": False,
    }
    return row | fields


# --- 2x2 -------------------------------------------------------------------------------------


def test_two_by_two_chi_square_matches_the_hand_formula():
    a, b, c, d = 30, 20, 15, 35
    frame = frame_from_table([[a, b], [c, d]], "multi_actor", "reciprocity")
    n = a + b + c + d
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    chi2 = n * (a * d - b * c) ** 2 / margins
    assert chi2 == pytest.approx(100 / 11)

    result = insights.associate(frame, "multi_actor", "reciprocity")

    assert result.test == "chi2"
    assert result.statistic == pytest.approx(chi2)
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))  # chi2, 1 dof
    assert result.effect_measure == "phi"
    assert result.effect_size == pytest.approx((a * d - b * c) / math.sqrt(margins))
    assert result.effect_size**2 == pytest.approx(chi2 / n)
    assert result.n == 100 and result.n_excluded == 0
    assert result.table.to_numpy().tolist() == [[30, 20], [15, 35]]


def test_odds_ratio_and_woolf_interval_on_two_by_two():
    frame = frame_from_table([[30, 20], [15, 35]], "multi_actor", "reciprocity")
    result = insights.associate(frame, "multi_actor", "reciprocity")
    half_width = Z_975 * math.sqrt(1 / 30 + 1 / 20 + 1 / 15 + 1 / 35)
    assert result.odds_ratio == pytest.approx(3.5)
    assert result.odds_ratio_ci == pytest.approx(
        (3.5 * math.exp(-half_width), 3.5 * math.exp(half_width))
    )
    assert insights.ZERO_CELL not in result.caveats


def test_fisher_exact_replaces_chi_square_when_an_expected_count_is_below_five():
    # Margins 5/5 and 5/5: P(x) = C(5,x) C(5,5-x) / C(10,5) = 1, 25, 100, 100, 25, 1 over 252.
    # Observed x = 1; tables as or less likely: x in {0, 1, 4, 5}.
    frame = frame_from_table([[1, 4], [4, 1]], "multi_actor", "accessible")
    result = insights.associate(frame, "multi_actor", "accessible")
    assert result.test == "fisher"
    assert result.p_value == pytest.approx(52 / 252)
    assert result.odds_ratio == pytest.approx(1 / 16)
    assert insights.SMALL_NUMBERS in result.caveats


def test_zero_cell_odds_ratio_uses_haldane_anscombe_correction():
    frame = frame_from_table([[3, 0], [0, 3]], "multi_actor", "digital_only")
    result = insights.associate(frame, "multi_actor", "digital_only")
    assert result.test == "fisher"
    assert result.p_value == pytest.approx(2 / 20)  # two tables of 20 as extreme
    assert result.odds_ratio == pytest.approx(3.5 * 3.5 / (0.5 * 0.5))
    half_width = Z_975 * math.sqrt(2 / 3.5 + 2 / 0.5)
    assert result.odds_ratio_ci[1] == pytest.approx(49 * math.exp(half_width))
    assert insights.ZERO_CELL in result.caveats


# --- r x c -----------------------------------------------------------------------------------


def test_bias_corrected_cramers_v_on_three_by_two():
    table = [[20, 10], [15, 15], [10, 20]]
    models = ("free", "paid", "membership")
    frame = frame_from_table(table, "economic_model", "reciprocity", row_values=models)
    chi2 = (4 * 25) / 15  # every expected count is 15
    phi2 = chi2 / 90 - (2 - 1) * (3 - 1) / 89
    denominator = min((2 - 1 / 89) - 1, (3 - 4 / 89) - 1)

    result = insights.associate(frame, "economic_model", "reciprocity")

    assert result.test == "chi2"
    assert result.statistic == pytest.approx(chi2)
    assert result.effect_measure == "cramers_v_corrected"
    assert result.effect_size == pytest.approx(math.sqrt(phi2 / denominator))
    assert result.odds_ratio is None
    assert list(result.table.index) == ["free", "paid", "membership"]


def exact_rx2_p_value(table) -> float:
    """Fisher-Freeman-Halton by enumeration for r x 2: tables as or less likely than observed."""
    rows = [sum(r) for r in table]
    first = sum(r[0] for r in table)

    def probability(column):
        ways = math.prod(math.comb(n, x) for n, x in zip(rows, column, strict=True))
        return ways / math.comb(sum(rows), first)

    observed = probability([r[0] for r in table])
    tables = itertools.product(*(range(n + 1) for n in rows))
    return sum(
        probability(c) for c in tables if sum(c) == first and probability(c) <= observed * 1.0001
    )


def test_r_by_c_fisher_uses_a_seeded_monte_carlo_close_to_the_exact_value():
    table = [[3, 0], [1, 2], [0, 3]]
    models = ("free", "paid", "membership")
    frame = frame_from_table(table, "economic_model", "multi_actor", row_values=models)

    first = insights.associate(frame, "economic_model", "multi_actor", seed=11)
    second = insights.associate(frame, "economic_model", "multi_actor", seed=11)

    assert first.test == "fisher_monte_carlo"
    assert first.p_value == second.p_value
    assert first.p_value == pytest.approx(exact_rx2_p_value(table), abs=0.015)


def test_the_monte_carlo_fisher_test_has_a_fixed_default_seed():
    table = [[3, 0], [1, 2], [0, 3]]
    frame = frame_from_table(
        table, "economic_model", "multi_actor", row_values=("free", "paid", "membership")
    )
    default = insights.associate(frame, "economic_model", "multi_actor")
    assert default.p_value == insights.associate(frame, "economic_model", "multi_actor").p_value
    assert default.p_value == (
        insights.associate(frame, "economic_model", "multi_actor", seed=DEFAULT_SEED).p_value
    )
    others = {
        insights.associate(frame, "economic_model", "multi_actor", seed=s).p_value for s in range(5)
    }
    assert len(others) > 1  # the seed is honoured


# --- unknowns, indicators, caveats -----------------------------------------------------------


def test_unknowns_are_excluded_and_counted():
    initiatives = pd.DataFrame(
        [
            raw_initiative(economic_model="free", reciprocity=True),
            raw_initiative(economic_model="paid", reciprocity=False),
            raw_initiative(economic_model="", reciprocity=True),
            raw_initiative(economic_model="paid", reciprocity=None),
            raw_initiative(economic_model=None, reciprocity=np.nan),
        ]
    )
    result = insights.economic_model_question(initiatives)["reciprocity"]
    assert result.n == 2
    assert result.n_excluded == 3
    assert result.n + result.n_excluded == len(initiatives)
    assert insights.MANY_UNKNOWNS in result.caveats


def test_accessible_is_a_three_valued_or_and_multi_actor_counts_distinct_kinds():
    initiatives = pd.DataFrame(
        [
            raw_initiative(step_free_access=True, usable_without_internet=None),
            raw_initiative(step_free_access=False, usable_without_internet=None),
            raw_initiative(step_free_access=False, usable_without_internet=False),
            raw_initiative(step_free_access=None, usable_without_internet=True),
            raw_initiative(actor_types=["public", "public"]),
            raw_initiative(actor_types=["public", "citizen"]),
            raw_initiative(actor_types=[]),
        ]
    )
    result = insights.indicators(initiatives)
    assert result["accessible"].tolist()[:4] == [True, None, False, True]
    assert result["multi_actor"].tolist()[4:] == [False, True, None]


def test_synthetic_caveat_only_when_synthetic_rows_are_analysed():
    analysed = pd.DataFrame([raw_initiative(), raw_initiative(reciprocity=False)] * 3)
    synthetic_unknown = raw_initiative(reciprocity=None, is_synthetic=True)
    synthetic_known = raw_initiative(is_synthetic=True)

    excluded = insights.multi_actor_question(
        pd.concat([analysed, pd.DataFrame([synthetic_unknown])])
    )
    included = insights.multi_actor_question(pd.concat([analysed, pd.DataFrame([synthetic_known])]))

    assert insights.SYNTHETIC not in excluded["reciprocity"].caveats
    assert insights.SYNTHETIC in included["reciprocity"].caveats


def test_a_single_category_on_one_side_is_not_testable():
    initiatives = pd.DataFrame([raw_initiative(), raw_initiative(reciprocity=False)])
    result = insights.multi_actor_question(initiatives)["reciprocity"]  # nobody is multi-actor
    assert result.test == "none"
    assert np.isnan(result.p_value)
    assert insights.NOT_TESTABLE in result.caveats


def test_every_result_is_observational_and_self_declared_with_q_at_least_p():
    rng = np.random.default_rng(4)
    initiatives = pd.DataFrame(
        [
            raw_initiative(
                economic_model=rng.choice(insights.ECONOMIC_MODELS),
                reciprocity=bool(rng.random() < 0.5),
                actor_types=["associative", "public"] if rng.random() < 0.4 else ["citizen"],
                step_free_access=bool(rng.random() < 0.5),
                usable_without_internet=bool(rng.random() < 0.5),
                collaboration_mode=rng.choice(["digital", "hybrid", "in_person"]),
            )
            for _ in range(120)
        ]
    )
    answers = insights.economic_model_question(initiatives) | {
        f"multi_{k}": v for k, v in insights.multi_actor_question(initiatives).items()
    }
    assert set(answers) == {
        "reciprocity",
        "multi_actor",
        "accessible",
        "multi_reciprocity",
        "multi_accessible",
        "multi_digital_only",
    }
    for result in answers.values():
        assert {insights.OBSERVATIONAL, insights.SELF_DECLARED} <= set(result.caveats)
        assert result.q_value >= result.p_value
        assert result.table.to_numpy().sum() == result.n == 120
