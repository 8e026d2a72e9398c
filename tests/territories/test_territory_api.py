import pytest
from django.urls import reverse

from territories.models import Territory

MERGED_SINCE_2018 = {"33092", "33267", "33338", "33409"}


def all_features(client, url, params):
    features, page = [], client.get(url, params).json()
    features += page["features"]
    while page["next"]:
        page = client.get(page["next"]).json()
        features += page["features"]
    return features


@pytest.mark.django_db
def test_the_538_communes_total_the_gironde_population(client):
    features = all_features(client, reverse("api:territory-list"), {"level": "commune"})

    assert len(features) == 538
    populations = {f["properties"]["code"]: f["properties"]["population"] for f in features}
    assert sum(p for p in populations.values() if p) == 1_690_493
    assert {code for code, p in populations.items() if p is None} == MERGED_SINCE_2018


@pytest.mark.django_db
def test_a_territory_is_an_exact_geojson_feature(client):
    commune = Territory.objects.get(level="commune", code="33063")

    feature = client.get(reverse("api:territory-detail", args=["33063"])).json()

    assert feature["type"] == "Feature"
    assert feature["id"] == "33063"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"] == {
        "code": "33063",
        "name": "Bordeaux",
        "level": "commune",
        "population": commune.population,
        "population_year": 2023,
        "population_source": "INSEE, populations légales 2023 (population municipale)",
        "area_km2": commune.area_km2,
        "parent": "243300316",
        "published_initiatives": commune.initiatives.filter(publication_status="published").count(),
        "active_initiatives": commune.initiatives.filter(
            publication_status="published", activity_status="active"
        ).count(),
    }


@pytest.mark.django_db
def test_the_territory_list_is_paginated_with_a_count(client):
    page = client.get(reverse("api:territory-list"), {"level": "commune", "page_size": 100}).json()

    assert page["type"] == "FeatureCollection"
    assert page["count"] == 538
    assert len(page["features"]) == 100
    assert "page=2" in page["next"]


@pytest.mark.django_db
def test_the_territory_list_stays_within_its_query_budget(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("api:territory-list"), {"level": "epci"})
    assert response.status_code == 200
    assert len(response.json()["features"]) == 28
