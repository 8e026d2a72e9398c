"""The reports' words: sentences in the request's language from plain rows (no database)."""

from django.utils import translation

from radar.analysis import gaps as gap_analysis
from radar.analysis import trends as trend_analysis
from radar.reports import gaps, trends


def test_gap_sentence_states_population_distance_and_nearest_initiative():
    with translation.override("en"):
        white = gaps.describe_gap(
            reason="white_zone",
            population=12_000,
            radius_km=8.0,
            nearest_name="Fablab",
            nearest_distance_km=8.4,
        )
        below = gaps.describe_gap(
            reason="below_overall_rate", population=40_000, eb_rate=2.5, overall_rate=5.0
        )
    assert white == "12,000 inhabitants, no initiative within 8.0 km; the nearest: Fablab (8.4 km)."
    assert below == (
        "40,000 inhabitants, 2.5 initiatives per 10,000 inhabitants (smoothed) "
        "against 5.0 on average."
    )


def test_gap_sentence_is_said_in_french_with_french_numbers():
    with translation.override("fr"):
        sentence = gaps.describe_gap(reason="white_zone", population=12_000, radius_km=12.0)

    assert sentence == "12\xa0000 habitants, aucune initiative à moins de 12 km."


def test_a_gap_row_gets_its_reason_only_when_it_is_under_served():
    row = {
        "underserved_rank": 1,
        "population": 12_000,
        "white_zone": True,
        "nearest_initiative": {"id": 1, "name": "Fablab"},
        "nearest_distance_m": 8_400.0,
        "smoothed_rate_per_10k": 0.0,
        "overall_rate_per_10k": 5.0,
    }
    with translation.override("en"):
        assert gaps._reason(row, 8.0).endswith("the nearest: Fablab (8.4 km).")
        assert gaps._reason(row | {"underserved_rank": None}, 8.0) == ""


def test_every_pattern_has_a_label():
    kinds = trend_analysis.KINDS
    codes = {f"{kind}_{spot}_spot" for kind in kinds for spot in ("hot", "cold")}
    assert set(trends.PATTERN_LABELS) == codes | {trend_analysis.NO_PATTERN}


def test_the_radar_s_gap_defaults_are_the_analysis_defaults():
    assert gaps.MIN_POPULATION == gap_analysis.MIN_POPULATION
    assert gaps.RADIUS_KM * 1000 == gap_analysis.MAX_DISTANCE_M
    assert gaps.PER == gap_analysis.PER
