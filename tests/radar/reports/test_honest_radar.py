"""The radar says what its numbers are worth: fictional answers named as such, effect sizes and
tests in words, white-zone thresholds set from the page, empty layers explained."""

import re

import pytest
from django.urls import reverse

from radar.analysis import gaps
from radar.reports import insights as insight_words
from radar.reports.gaps import MIN_POPULATION, RADIUS_KM, cluster_note, white_zone_note

pytestmark = pytest.mark.django_db


def insights_html(page: str) -> str:
    return page[page.index('id="insights-title"') :]


def test_the_form_defaults_are_the_analysis_defaults():
    assert MIN_POPULATION == gaps.MIN_POPULATION
    assert RADIUS_KM * 1000 == gaps.MAX_DISTANCE_M


def test_mostly_fictional_insights_never_say_significant_alone(client):
    response = client.get(reverse("radar:home"))
    insights = response.context["insights"]
    assert insights["mostly_synthetic"]  # the demo: most initiatives are fictional
    section = insights_html(response.content.decode())
    assert 'id="insights-fictional"' in section
    cells = re.findall(r"<td>([^<]*significatif[^<]*)</td>", section)
    for cell in cells:
        assert "non significatif" in cell or "surtout fictives" in cell, cell
    for code in ("chi2", "fisher_monte_carlo", "cramers_v_corrected", "(phi)"):
        assert code not in section
    assert "khi-deux" in section or "test exact de Fisher" in section
    assert re.search(r"association (négligeable|faible|modérée|forte)", section)


def test_a_significant_result_on_real_answers_says_significant():
    real = {"q_value": 0.01, "n": 100, "n_synthetic": 10}
    fictional = {"q_value": 0.01, "n": 331, "n_synthetic": 330}
    assert insight_words.verdict_words(real).endswith(": significatif")
    words = insight_words.verdict_words(fictional)
    assert "surtout fictives (330 sur 331)" in words
    assert insight_words.verdict_words({"q_value": 0.2, "n": 50}).endswith("non significatif")
    assert insight_words.verdict_words({"q_value": None}).startswith("non testé")


def test_effect_sizes_are_in_words_with_the_locale_s_decimals():
    phi = {"effect_measure": "phi", "effect_size": -0.23, "table": {}}
    assert insight_words.effect_words(phi) == "-0,23 : association faible (coefficient phi)"
    # Cramér's V on a 4x2 table: Cohen's thresholds (df* = 1) apply as they are.
    table = {m: {"True": 1, "False": 1} for m in ("free", "paid", "membership", "pwyc")}
    v = {"effect_measure": "cramers_v_corrected", "effect_size": 0.31, "table": table}
    assert "association modérée" in insight_words.effect_words(v)
    # On a 3x3 table (df* = 2) the thresholds are divided by the square root of 2.
    table = {r: {"a": 1, "b": 1, "c": 1} for r in "xyz"}
    assert "association forte" in insight_words.effect_words(
        {**v, "effect_size": 0.4, "table": table}
    )
    assert "association modérée" in insight_words.effect_words({**v, "effect_size": 0.4})
    assert insight_words.answers_words({"n": 331, "n_synthetic": 330}) == ("331, dont 330 fictives")


def test_white_zone_thresholds_are_set_from_the_page_without_javascript(client):
    default = client.get(reverse("radar:home"), {"level": "commune"})
    lowered = client.get(
        reverse("radar:home"), {"level": "commune", "min_population": "500", "radius_km": "3"}
    )
    count = lambda response: sum(row["white_zone"] for row in response.context["gaps"])  # noqa: E731
    assert count(lowered) > count(default)
    page = lowered.content.decode()
    assert 'name="min_population"' in page and 'value="500"' in page
    assert "au moins 500 habitants" in page and "à moins de 3,0 km" in page


def test_bad_thresholds_get_a_field_error_and_the_defaults(client):
    response = client.get(reverse("radar:home"), {"min_population": "-5", "radius_km": "abc"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('aria-invalid="true"') == 2
    assert "Assurez-vous que cette valeur est supérieure ou égale à 0." in page
    assert re.search(r"au moins 5\s000 habitants", page)  # the defaults are used meanwhile


def test_an_empty_white_zone_layer_says_why_and_what_to_change():
    rows = [
        {
            "name": "Bordeaux",
            "population": 260_000,
            "nearest_distance_m": 300.0,
            "white_zone": False,
            "cluster": "not_significant",
        },
        {
            "name": "Ville-sur-Lande",
            "population": 6_000,
            "nearest_distance_m": 7_250.0,
            "white_zone": False,
            "cluster": "not_significant",
        },
        {
            "name": "Hameau",
            "population": 40,
            "nearest_distance_m": 30_000.0,
            "white_zone": False,
            "cluster": "not_significant",
        },
    ]
    note = white_zone_note(rows, min_population=5_000, radius_km=10)
    assert ("Ville-sur-Lande" in note and "7,2 km" in note) or "7,3 km" in note
    assert "Abaissez le seuil de population ou la distance" in note
    assert "aucun territoire de ce niveau" in white_zone_note(
        rows, min_population=10**6, radius_km=10
    )
    rows[2]["white_zone"] = True
    assert white_zone_note(rows, min_population=5_000, radius_km=10) == ""
    assert "niveau communal" in cluster_note(rows, level="epci")
    assert "niveau communal" not in cluster_note(rows, level="commune")
    rows[0]["cluster"] = "high"
    assert cluster_note(rows, level="epci") == ""


def test_the_radar_page_explains_its_empty_layers(client):
    page = client.get(reverse("radar:home")).content.decode()  # EPCI level, default thresholds
    notes = page[page.index('id="layer-notes"') :][:2000]
    assert "Aucune zone blanche" in notes


def test_thresholds_not_computed_yet_say_so_instead_of_failing(client, monkeypatch):
    from radar.reports.cache import ResultPending
    from radar.views import pages

    def pending(params, territories=None):
        raise ResultPending

    monkeypatch.setattr(pages, "gaps_rows", pending)
    response = client.get(reverse("radar:home"), {"min_population": "1234"})
    assert response.status_code == 200
    assert "en cours de calcul" in response.content.decode()
