import pytest
from django.urls import reverse

LIST = reverse("api:territory-list")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?level=epci", 28),
        ("?level=commune", 538),
        ("?parent=243300316", 28),  # the communes of Bordeaux Métropole
        ("?level=commune&bbox=-0.60,44.83,-0.56,44.85", 1),  # central Bordeaux
    ],
)
@pytest.mark.django_db
def test_each_filter_keeps_the_matching_territories(client, query, expected):
    assert client.get(LIST + query).json()["count"] == expected


@pytest.mark.django_db
def test_the_list_stays_within_its_query_budget(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(LIST + "?level=commune&page_size=1000")


@pytest.mark.django_db
def test_a_bad_level_is_a_400(client):
    response = client.get(LIST + "?level=canton")
    assert response.status_code == 400
    assert list(response.json()) == ["level"]


@pytest.mark.django_db
def test_the_detail_counts_the_initiatives_inside(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        feature = client.get(reverse("api:territory-detail", args=["33063"])).json()
    assert feature["id"] == feature["properties"]["code"] == "33063"
    assert feature["properties"]["name"] == "Bordeaux"
    assert feature["properties"]["published_initiatives"] == 80
    assert feature["properties"]["parent"] == "243300316"


@pytest.mark.django_db
def test_the_detail_of_an_unknown_code_is_a_404(client):
    assert client.get(reverse("api:territory-detail", args=["00000"])).status_code == 404
