"""One answer per question on every page, filter and API: which territory a code names
(territories.selectors.territory_by_code), and which initiatives lie in a territory
(territories.selectors.territory_holds: inside it or on its boundary; a single owner per
level, the lowest code)."""

import json

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.urls import reverse

from initiatives.models import Initiative
from initiatives.selectors import InitiativeFilters
from radar.reports.reading import initiative_rows
from territories.models import Territory
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_33():
    """A region whose code is also the Gironde's, as region 75 and Paris share 75: a small
    square around Bordeaux, so that resolving to it would change every answer."""
    square = Polygon.from_bbox((-0.60, 44.82, -0.56, 44.86))
    square.srid = 4326
    return Territory.objects.create(
        level="region", code="33", name="Région d'essai", geometry=MultiPolygon(square)
    )


def test_a_code_of_two_levels_names_the_finest_on_every_page_filter_and_api(client, region_33):
    gironde = Territory.objects.get(level="departement", code="33")
    published = Initiative.objects.published().count()

    page = client.get(reverse("radar:territory", args=["33"]))
    detail = client.get(reverse("api:territory-detail", args=["33"])).json()
    listed = client.get(reverse("api:initiative-list"), {"territory": "33", "page_size": 1})
    ogc = client.get(reverse("ogc:item", args=["territories", "33"])).json()

    assert page.context["territory"] == gironde
    assert detail["properties"]["level"] == "departement"
    assert detail["properties"]["published_initiatives"] == published
    assert listed.json()["count"] == published
    assert ogc["properties"]["level"] == "departement"


def test_the_radar_signals_of_a_code_of_two_levels_are_the_finest_ones(client, region_33):
    signals = client.get(reverse("api:radar-signals"), {"territory": "33"}).json()

    assert signals["territory"] == {"code": "33", "name": "Gironde"}


def _shared_vertex(code: str) -> tuple[str, str, tuple[float, float]]:
    """A vertex of the boundary between the commune `code` and a neighbour."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.code, b.code, ST_X(v.geom), ST_Y(v.geom)
            FROM territories_territory a
            JOIN territories_territory b
              ON b.level = 'commune' AND b.code <> a.code AND ST_Touches(a.geometry, b.geometry)
            CROSS JOIN LATERAL ST_DumpPoints(ST_Intersection(a.geometry, b.geometry)) v
            WHERE a.level = 'commune' AND a.code = %s
              AND ST_Intersects(v.geom, a.geometry) AND ST_Intersects(v.geom, b.geometry)
            ORDER BY b.code LIMIT 1
            """,
            [code],
        )
        first, second, lon, lat = cursor.fetchone()
    return first, second, (lon, lat)


def _published_in(client, code: str) -> int:
    return client.get(reverse("api:territory-detail", args=[code])).json()["properties"][
        "published_initiatives"
    ]


def test_a_point_on_a_shared_boundary_lies_in_both_communes_and_is_owned_by_one(client):
    first, second, lonlat = _shared_vertex("33063")
    before = {code: _published_in(client, code) for code in (first, second)}

    initiative = make_initiative(lonlat=lonlat)

    # In both: the territory's count, its ?territory= filter and the open data agree.
    for code in (first, second):
        assert _published_in(client, code) == before[code] + 1
        listed = client.get(reverse("api:initiative-list"), {"territory": code, "page_size": 1000})
        assert initiative.pk in {feature["id"] for feature in listed.json()["features"]}
    geojson = b"".join(
        client.get(reverse("opendata:territories-geojson"), {"level": "commune"}).streaming_content
    )
    counts = {
        feature["id"]: feature["properties"]["published_initiatives"]
        for feature in json.loads(geojson)["features"]
    }
    assert counts[first] == before[first] + 1 and counts[second] == before[second] + 1
    # Owned by one, the lowest code: its commune, and its line in the radar's analyses.
    owner = min(first, second)
    assert initiative.territory.code == owner
    rows = initiative_rows(level="commune", filters=InitiativeFilters())
    assert next(row for row in rows if row["id"] == initiative.pk)["territory"] == owner


def test_a_point_on_the_served_territory_s_boundary_is_accepted():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_X(v.geom), ST_Y(v.geom)
            FROM territories_territory t
            CROSS JOIN LATERAL ST_DumpPoints(t.geometry) v
            WHERE t.level = 'departement' AND t.code = '33' LIMIT 1
            """
        )
        lon, lat = cursor.fetchone()
    gironde = Territory.objects.get(level="departement", code="33")
    assert not gironde.geometry.contains(Point(lon, lat, srid=4326))  # on the boundary

    initiative = make_initiative(lonlat=(lon, lat))

    assert initiative.territory is not None
