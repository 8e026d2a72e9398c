"""Emerging hot-spot trends over HTTP, on the Gironde demo (ten years up to 2026)."""

import pytest
from django.urls import reverse

from initiatives.models import Initiative

URL_PARAMS = {"level": "commune", "end_year": 2026}
LIBOURNE_AREA = ["33243", "33052", "33364", "33222", "33328", "33302", "33298"]


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def properties(client, **params) -> dict:
    collection = client.get(reverse("api:radar-trends"), URL_PARAMS | params).json()
    return {f["id"]: f["properties"] for f in collection["features"]}


@pytest.mark.django_db
def test_the_trends_cover_all_538_communes_and_count_every_start_of_the_ten_years(english):
    collection = english.get(reverse("api:radar-trends"), URL_PARAMS).json()

    features = collection["features"]
    assert collection["type"] == "FeatureCollection"
    assert collection["parameters"] == {
        "level": "commune",
        "inference": "permutation",
        "years": 10,
        "end_year": 2026,
        "seed": 20261127,  # RADAR_RANDOM_SEED
    }
    assert len(features) == 538
    assert {f["geometry"]["type"] for f in features} == {"MultiPolygon"}
    started = Initiative.objects.published().filter(start_date__year__range=(2017, 2026))
    assert sum(y["started"] for f in features for y in f["properties"]["years"]) == (
        started.count()
    )
    bordeaux = next(f["properties"] for f in features if f["id"] == "33063")
    assert [y["year"] for y in bordeaux["years"]] == list(range(2017, 2027))
    assert bordeaux["years"][-1]["started"] == 9


@pytest.mark.django_db
def test_bordeaux_is_a_consecutive_hot_spot_of_starts_since_2023(english):
    bordeaux = properties(english)["33063"]

    assert bordeaux["pattern"] == "consecutive_hot_spot"
    assert bordeaux["pattern_label"] == "Consecutive hot spot"
    assert bordeaux["significant_years"] == [2023, 2024, 2025, 2026]
    assert bordeaux["hot_years"] == [2023, 2024, 2025, 2026]
    assert bordeaux["cold_years"] == []
    assert bordeaux["mann_kendall_tau"] == pytest.approx(23 / 45)  # S = 23 of 45 pairs
    assert bordeaux["trend_p"] == pytest.approx(0.0491, abs=1e-4)


@pytest.mark.django_db
def test_the_libourne_movement_is_too_sparse_for_permutation_gi_star(english):
    """16 starts in 2026 spread over 13 communes, 1 or 2 each: a neighbourhood sum that one
    relabelled Bordeaux (9 starts) reaches as easily. Permutations see no hot spot."""
    rows = properties(english)

    for code in LIBOURNE_AREA:
        assert rows[code]["pattern"] == "no_pattern"
        assert rows[code]["significant_years"] == []
    assert rows["33243"]["years"][-1]["started"] == 2


@pytest.mark.django_db
def test_with_esris_normal_p_values_the_libourne_area_is_a_new_hot_spot(english):
    rows = properties(english, inference="normal")

    for code in LIBOURNE_AREA:
        assert rows[code]["pattern"] == "new_hot_spot"
        assert rows[code]["significant_years"] == [2026]
    assert rows["33243"]["pattern_label"] == "New hot spot"
    assert rows["33063"]["pattern"] == "intensifying_hot_spot"


@pytest.mark.django_db
def test_the_epci_level_has_the_28_intercommunalities_and_no_pattern(client):
    rows = properties(client, level="epci")

    assert len(rows) == 28
    assert {row["pattern"] for row in rows.values()} == {"no_pattern"}


@pytest.mark.django_db
def test_a_cached_result_is_served_within_a_query_budget(client, django_assert_max_num_queries):
    properties(client)

    with django_assert_max_num_queries(6):
        properties(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"level": "region"}, {"inference": "bayes"}, {"end_year": "last"}]
)
def test_bad_trend_parameters_are_refused_field_by_field(client, params):
    response = client.get(reverse("api:radar-trends"), params)

    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.django_db
def test_the_profile_of_a_consecutive_hot_spot_says_so(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    rows = [f["properties"] for f in client.get(reverse("api:radar-trends")).json()["features"]]
    patterned = next(r for r in rows if r["pattern"] != "no_pattern")

    page = client.get(reverse("radar:territory", args=[patterned["code"]])).content.decode()

    assert f"Trend of new initiatives over the years: {patterned['pattern_label']}." in page


@pytest.mark.django_db
def test_the_radar_page_lists_the_territories_with_a_hot_spot_pattern(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    rows = [f["properties"] for f in client.get(reverse("api:radar-trends")).json()["features"]]
    patterned = [r for r in rows if r["pattern"] != "no_pattern"]

    page = client.get(reverse("radar:home"), {"level": "commune"}).content.decode()

    assert 'id="table-trends"' in page
    for row in patterned:
        assert row["pattern_label"] in page
