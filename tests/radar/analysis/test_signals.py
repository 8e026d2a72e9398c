import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from radar.analysis import signals

ON = dt.date(2025, 6, 1)


def initiative(territory="a", **fields):
    """A fully known initiative; override what the test is about."""
    row = {
        "territory": territory,
        "reciprocity": True,
        "animation": "paid_staff",
        "needs": ["premises"],
        "actor_types": ["associative"],
        "resources": ["volunteering"],
        "collaboration_mode": "in_person",
        "last_confirmed": dt.date(2025, 1, 1),
    }
    return row | fields


def table(*rows):
    return pd.DataFrame(list(rows))


def test_reciprocity_share_is_over_known_answers_and_unknowns_are_counted_apart():
    result = signals.territory_signals(
        table(
            initiative(reciprocity=True),
            initiative(reciprocity=False),
            initiative(reciprocity=True),
            initiative(reciprocity=None),
            initiative(reciprocity=np.nan),
        ),
        ON,
    ).loc["a"]
    assert result["reciprocity_yes"] == 2
    assert result["reciprocity_known"] == 3
    assert result["reciprocity_unknown"] == 2
    assert result["reciprocity_share"] == pytest.approx(2 / 3)
    assert result["n_initiatives"] == 5


def test_volunteer_only_animation_and_funding_or_volunteer_needs_are_fragility_shares():
    result = signals.territory_signals(
        table(
            initiative(animation="volunteers", needs=["funding", "premises"]),
            initiative(animation="both", needs=["volunteers"]),
            initiative(animation="paid_staff", needs=["training"]),
            initiative(animation="", needs=[]),  # blank and empty: not said
        ),
        ON,
    ).loc["a"]
    assert (result["volunteer_only_yes"], result["volunteer_only_known"]) == (1, 3)
    assert result["volunteer_only_share"] == pytest.approx(1 / 3)
    assert result["needs_funding_or_volunteers_yes"] == 2
    assert result["needs_funding_or_volunteers_unknown"] == 1
    assert result["needs_funding_or_volunteers_share"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1, 1, 1], 1.0),
        ([5, 0, 0, 0], 0.0),
        # p = 1/2, 1/4, 1/4: H = 1/2 ln 2 + 2 * 1/4 ln 4 = 3/2 ln 2, and ln 4 = 2 ln 2
        ([2, 1, 1, 0], 0.75),
        ([1, 1, 0, 0], math.log(2) / math.log(4)),
    ],
)
def test_shannon_evenness_over_the_four_kinds(counts, expected):
    assert signals.shannon_evenness(counts) == pytest.approx(expected)


def test_shannon_evenness_is_unknown_without_any_actor():
    assert np.isnan(signals.shannon_evenness([0, 0, 0, 0]))


def test_actor_counts_evenness_and_dominant_kind():
    result = signals.territory_signals(
        table(
            initiative(actor_types=["associative", "public"]),
            initiative(actor_types=["associative"]),
            initiative(actor_types=["citizen"]),
            initiative(actor_types=[]),  # not said
        ),
        ON,
    ).loc["a"]
    kinds = ["actor_public", "actor_private", "actor_associative", "actor_citizen"]
    assert result[kinds].tolist() == [1, 0, 2, 1]
    assert result["actor_known"] == 3
    assert result["actor_evenness"] == pytest.approx(signals.shannon_evenness([1, 0, 2, 1]))
    assert result["dominant_actor"] == "associative"
    assert result["dominant_share"] == pytest.approx(0.5)


def test_single_actor_dominates_from_75_percent_and_five_initiatives():
    def repeat(territory, actors, times):
        return [initiative(territory, actor_types=actors) for _ in range(times)]

    rows = [
        *repeat("five", ["associative"], 5),
        *repeat("four", ["associative"], 4),  # too few to say
        *repeat("mixed", ["associative"], 3) + repeat("mixed", ["citizen"], 2),  # 3/5
        *repeat("edge", ["public"], 6) + repeat("edge", ["citizen"], 2),  # 6/8 = 0.75
    ]
    result = signals.territory_signals(table(*rows), ON)["single_actor_dominates"]
    assert result[["five", "mixed", "edge"]].tolist() == [True, False, True]
    assert pd.isna(result["four"])


def test_resource_mix_share_and_distribution_by_kind():
    result = signals.territory_signals(
        table(
            initiative(resources=["volunteering", "public_funding"]),
            initiative(resources=["volunteering"]),
            initiative(resources=["earned_income", "private_funding", "volunteering"]),
            initiative(resources=None),
        ),
        ON,
    ).loc["a"]
    assert (result["multi_resource_yes"], result["multi_resource_known"]) == (2, 3)
    assert result["multi_resource_unknown"] == 1
    assert result["multi_resource_share"] == pytest.approx(2 / 3)
    kinds = ["volunteering", "public_funding", "private_funding", "earned_income"]
    assert [result[f"resource_{kind}"] for kind in kinds] == [3, 1, 1, 1]
    assert [result[f"resource_kinds_{k}"] for k in (1, 2, 3, 4)] == [1, 1, 1, 0]


def test_digital_only_share_ignores_unknown_mode():
    result = signals.territory_signals(
        table(
            initiative(collaboration_mode="digital"),
            initiative(collaboration_mode="hybrid"),
            initiative(collaboration_mode="in_person"),
            initiative(collaboration_mode=None),
        ),
        ON,
    ).loc["a"]
    assert result["digital_only_share"] == pytest.approx(1 / 3)
    assert result["digital_only_unknown"] == 1


def test_stale_means_not_confirmed_within_the_last_twelve_months():
    result = signals.territory_signals(
        table(
            initiative(last_confirmed=dt.date(2024, 6, 1)),  # exactly 12 months: fresh
            initiative(last_confirmed=dt.date(2024, 5, 31)),  # one day more: stale
            initiative(last_confirmed=pd.Timestamp("2025-05-01T10:00:00+02:00")),
            initiative(last_confirmed=None),
        ),
        ON,
    ).loc["a"]
    assert (result["stale_yes"], result["stale_known"], result["stale_unknown"]) == (1, 3, 1)


def test_known_and_unknown_add_up_to_the_number_of_initiatives():
    rows = [
        initiative("a", reciprocity=None, animation=None, needs=None, resources=[]),
        initiative("a"),
        initiative("b", collaboration_mode="", last_confirmed=None),
    ]
    result = signals.territory_signals(table(*rows), ON)
    for flag in signals.FLAGS:
        total = result[f"{flag}_known"] + result[f"{flag}_unknown"]
        assert total.tolist() == result["n_initiatives"].tolist()


def test_territories_without_initiatives_get_zero_counts_and_unknown_shares():
    result = signals.territory_signals(table(initiative("a")), ON, territories=["a", "empty"])
    assert result.loc["empty", "n_initiatives"] == 0
    assert result.loc["empty", "reciprocity_known"] == 0
    assert np.isnan(result.loc["empty", "reciprocity_share"])
    assert pd.isna(result.loc["empty", "single_actor_dominates"])
