"""The territories' tiles (the maps' own basemap, the radar's shapes) and the map set-up."""

import json

import pytest
from django.template import Context, Template
from django.test import Client

from territories.models import Territory
from territories.tiles import data_version
from tests.tiles.test_initiative_tiles import tile_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(headers={"Accept-Language": "en"})


def url(level, z, x, y, version=None):
    version = data_version("territories") if version is None else version
    return f"/tiles/territories/{version}/{level}/{z}/{x}/{y}.json"


def test_the_communes_of_a_tile_come_with_their_names_simplified(client):
    response = client.get(url("commune", *tile_of(-0.5792, 44.8378, 12)))
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    collection = json.loads(response.content)
    names = {f["properties"]["name"] for f in collection["features"]}
    assert "Bordeaux" in names
    bordeaux = next(f for f in collection["features"] if f["properties"]["name"] == "Bordeaux")
    assert bordeaux["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    full = Territory.objects.get(level="commune", code="33063").geometry.num_coords
    simplified = len(json.dumps(bordeaux["geometry"]["coordinates"]).split("],"))
    assert simplified < full


def test_communes_are_not_sent_at_country_zooms(client):
    response = client.get(url("commune", *tile_of(-0.58, 44.84, 5)))
    assert json.loads(response.content)["features"] == []
    outline = json.loads(client.get(url("departement", *tile_of(-0.58, 44.84, 5))).content)
    assert [f["properties"]["code"] for f in outline["features"]] == ["33"]


def test_a_change_of_territories_moves_the_urls(client):
    before = data_version("territories")
    Territory.objects.filter(level="commune", code="33063").update(population=1)
    after = data_version("territories")
    assert after == before + 1
    old = client.get(url("epci", 8, 127, 92, version=before))
    assert old.status_code == 302 and old["Location"] == url("epci", 8, 127, 92, version=after)


def test_a_304_for_a_known_tile(client):
    first = client.get(url("epci", 8, 127, 92))
    again = client.get(url("epci", 8, 127, 92), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("path", "field"),
    [("iris/8/127/92", "level"), ("commune/8/256/92", "x"), ("commune/25/1/1", "z")],
)
def test_bad_territory_tiles_get_a_400(client, path, field):
    response = client.get(f"/tiles/territories/{data_version('territories')}/{path}.json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_the_map_configuration_comes_from_the_served_territory():
    html = Template("{% load maps %}{% map_config %}").render(Context())
    config = json.loads(html.split(">", 1)[1].rsplit("<", 1)[0])
    west, south, east, north = config["bounds"]
    assert -1.3 < west < -1.2 and 45.5 < north < 45.6 and 0.3 < east < 0.4 and 44.1 < south < 44.2
    version = data_version("initiatives")
    assert config["initiatives"] == f"/tiles/initiatives/{version}/{{z}}/{{x}}/{{y}}.json"
    assert "{level}" in config["territories"]
    assert "OpenStreetMap" in config["attribution"]


def test_the_attribution_is_in_french_on_french_pages(settings):
    from django.utils import translation

    with translation.override("fr"):
        html = Template("{% load maps %}{% map_config %}").render(Context())
    assert "contributeurs" in html and "contributors" not in html


def test_gap_figures_come_without_geometry_when_asked(client):
    response = client.get("/api/v1/radar/gaps/?level=epci&geometry=false")
    assert response.status_code == 200
    features = response.json()["features"]
    assert features and all(f["geometry"] is None for f in features)
    with_shapes = client.get("/api/v1/radar/gaps/?level=epci")
    assert len(response.content) * 5 < len(with_shapes.content)
