import pytest
from django.contrib.gis.geos import Point

from territories.models import Territory
from territories.selectors import (
    served_territory,
    territories_in_bbox,
    territory_children,
    territory_containing,
    territory_extent,
)

BORDEAUX = Point(-0.5792, 44.8378, srid=4326)


@pytest.mark.django_db
def test_the_territory_containing_a_point_is_the_finest_one():
    assert territory_containing(point=BORDEAUX).code == "33063"


@pytest.mark.django_db
def test_the_territory_containing_a_point_at_a_given_level():
    assert territory_containing(point=BORDEAUX, level="epci").name == "Bordeaux Métropole"
    assert territory_containing(point=BORDEAUX, level="departement").code == "33"


@pytest.mark.django_db
def test_no_territory_contains_a_point_outside_the_data():
    assert territory_containing(point=Point(2.35, 48.85, srid=4326)) is None


@pytest.mark.django_db
def test_the_children_of_an_epci_are_its_communes():
    metropole = Territory.objects.get(level="epci", name="Bordeaux Métropole")

    children = territory_children(territory=metropole)

    assert children.count() == 28
    assert {child.level for child in children} == {"commune"}
    assert "33063" in {child.code for child in children}


@pytest.mark.django_db
def test_territories_of_a_level_within_a_bbox():
    found = territories_in_bbox(level="commune", bbox=(-0.60, 44.83, -0.57, 44.85))

    assert "33063" in {t.code for t in found}
    assert {t.level for t in found} == {"commune"}
    assert found.count() < 10


@pytest.mark.django_db
def test_the_served_territory_is_the_gironde():
    assert served_territory().name == "Gironde"


@pytest.mark.django_db
def test_a_territory_extent_is_the_same_read_from_its_row_or_from_the_database(
    django_assert_num_queries,
):
    loaded = Territory.objects.get(level="commune", code="33063")
    deferred = Territory.objects.defer("geometry").get(level="commune", code="33063")

    with django_assert_num_queries(0):
        west, south, east, north = territory_extent(territory=loaded)
    with django_assert_num_queries(1):
        from_database = territory_extent(territory=deferred)

    assert from_database == pytest.approx((west, south, east, north))
    assert west < BORDEAUX.x < east and south < BORDEAUX.y < north
