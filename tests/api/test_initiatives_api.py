from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative
from tests.factories import make_initiative

LIST = reverse("api:initiative-list")


def _count(client, query: str) -> int:
    response = client.get(LIST + query)
    assert response.status_code == 200, response.content
    return response.json()["count"]


@pytest.mark.django_db
def test_the_list_pages_published_initiatives_with_count_and_links(client):
    page = client.get(LIST + "?page_size=100&page=2").json()
    assert page["count"] == 523
    assert len(page["features"]) == 100
    assert page["next"] == "http://testserver/api/v1/initiatives/?page=3&page_size=100"
    assert page["previous"] == "http://testserver/api/v1/initiatives/?page_size=100"


@pytest.mark.django_db
def test_the_list_stays_within_its_query_budget(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(LIST + "?page_size=1000&territory=33063&theme=food&q=café")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?theme=food", 98),
        ("?actor_type=citizen", 198),
        ("?collaboration_mode=hybrid", 146),
        ("?collaboration_mode=hybrid&collaboration_mode=digital", 199),
        ("?economic_model=free", 221),
        ("?status=dormant", 40),
        ("?status=ended", 20),
        ("?is_synthetic=false", 87),
        ("?territory=33063", 80),  # Bordeaux
        ("?territory=33", 523),  # the whole département
    ],
)
@pytest.mark.django_db
def test_each_filter_keeps_the_matching_initiatives(client, query, expected):
    assert _count(client, query) == expected


@pytest.mark.django_db
def test_the_bbox_filter_keeps_the_initiatives_located_in_the_box(client):
    inside = [
        i
        for i in Initiative.objects.published()
        if -0.64 <= i.location.x <= -0.53 and 44.81 <= i.location.y <= 44.87
    ]
    assert _count(client, "?bbox=-0.64,44.81,-0.53,44.87") == len(inside) == 87


@pytest.mark.django_db
def test_the_territory_filter_includes_the_communes_inside_an_epci(client):
    bordeaux_metropole = _count(client, "?territory=243300316")
    assert bordeaux_metropole > _count(client, "?territory=33063") == 80
    assert (
        bordeaux_metropole
        == Initiative.objects.published().filter(territory__parent__code="243300316").count()
    )


@pytest.mark.django_db
def test_the_start_and_update_dates_filter(client):
    published = Initiative.objects.published()
    after = published.filter(start_date__gte=date(2020, 1, 1)).count()
    before = published.filter(start_date__lte=date(2019, 12, 31)).count()
    assert _count(client, "?started_after=2020-01-01") == after
    assert _count(client, "?started_before=2019-12-31") == before
    assert after + before == published.exclude(start_date=None).count()
    make_initiative(name="Toute neuve")
    since = timezone.now().isoformat().replace("+00:00", "Z")
    assert _count(client, f"?updated_since={since}") == 0


@pytest.mark.django_db
def test_the_text_filter_needs_every_word_in_name_or_descriptions(client):
    make_initiative(name="Grainothèque du Bouscat", short_description="Échange de semences.")
    assert _count(client, "?q=grainothèque+semences") == 1
    assert _count(client, "?q=grainothèque+vélo") == 0


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("?bbox=1,2,3", {"bbox": ["bbox must be four numbers: west,south,east,north."]}),
        ("?territory=99999", {"territory": ["No territory has the code 99999."]}),
        (
            "?theme=gardening",
            {"theme": ["Select a valid choice. gardening is not one of the available choices."]},
        ),
        ("?started_after=2020-13-01", {"started_after": ["Enter a valid date."]}),
    ],
)
@pytest.mark.django_db
def test_a_bad_filter_value_is_a_400_saying_what_is_wrong(client, query, errors):
    response = client.get(LIST + query)
    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.django_db
def test_the_detail_shows_a_published_initiative_without_contact(client):
    initiative = make_initiative(name="Vélo-école")
    feature = client.get(reverse("api:initiative-detail", args=[initiative.pk])).json()
    assert feature["properties"]["name"] == "Vélo-école"
    assert "contact_email" not in feature["properties"]
    hidden = make_initiative(status="pending")
    assert client.get(reverse("api:initiative-detail", args=[hidden.pk])).status_code == 404
