"""Tiles of published initiatives: content, versioned caching, privacy, validation, cost."""

import json
import math

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative
from territories.tiles import data_version
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db
# A quiet place in the Médoc, far from the demo's initiatives at street zooms.
LONLAT = (-0.98765, 45.25321)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    rad = math.radians(lat)
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * n)
    return z, x, y


def url(z, x, y, *, version=None, ext="json", query=""):
    version = data_version("initiatives") if version is None else version
    return f"/tiles/initiatives/{version}/{z}/{x}/{y}.{ext}" + (f"?{query}" if query else "")


@pytest.fixture
def client():
    return Client(headers={"Accept-Language": "en"})


def features(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)["features"]


def members(response) -> list[dict]:
    return [m for f in features(response) for m in f["properties"].get("initiatives", [])]


def test_a_published_point_is_in_its_tile_and_not_in_the_next_one(client):
    initiative = make_initiative(name="Atelier vélo du marais", lonlat=LONLAT)
    z, x, y = tile_of(*LONLAT, 16)
    [feature] = features(client.get(url(z, x, y)))
    assert feature["properties"]["count"] == 1
    assert feature["properties"]["id"] == initiative.id
    assert feature["geometry"]["coordinates"] == [LONLAT[0], LONLAT[1]]
    [member] = feature["properties"]["initiatives"]
    assert member["name"] == "Atelier vélo du marais"
    assert features(client.get(url(z, x + 1, y))) == []
    assert features(client.get(url(z, x, y + 1))) == []


def gironde_total(client) -> tuple[int, list[dict]]:
    """The four z6 tiles that hold the Gironde (it straddles longitude 0 and a tile row)."""
    found = [f for x in (31, 32) for y in (22, 23) for f in features(client.get(url(6, x, y)))]
    return sum(f["properties"]["count"] for f in found), found


def test_at_low_zoom_initiatives_are_counted_in_cells_that_add_up(client):
    total, _ = gironde_total(client)
    assert total == Initiative.objects.published().count()
    make_initiative(lonlat=LONLAT)
    again, cells = gironde_total(client)
    assert again == total + 1
    # A large cell sends its count and extent, not its members.
    biggest = max(cells, key=lambda f: f["properties"]["count"])
    assert biggest["properties"]["count"] > 10 and "initiatives" not in biggest["properties"]


def test_pending_rejected_and_archived_initiatives_never_appear(client):
    hidden = (PublicationStatus.PENDING, PublicationStatus.REJECTED, PublicationStatus.ARCHIVED)
    for status in hidden:
        make_initiative(name=f"Hidden {status}", status=status, lonlat=LONLAT)
    z, x, y = tile_of(*LONLAT, 16)
    assert features(client.get(url(z, x, y))) == []
    assert client.get(url(z, x, y, ext="pbf")).content == b""


def test_no_personal_data_in_a_tile(client):
    initiative = make_initiative(lonlat=LONLAT, contact_email="secret.holder@example.net")
    z, x, y = tile_of(*LONLAT, 16)
    for ext in ("json", "pbf"):
        body = client.get(url(z, x, y, ext=ext)).content
        assert b"secret.holder" not in body and b"@example.net" not in body
    [member] = members(client.get(url(z, x, y)))
    assert set(member) == {
        "id",
        "name",
        "short_description",
        "themes",
        "needs",
        "is_synthetic",
        "lon",
        "lat",
        "confirmed_on",
    }
    assert member["id"] == initiative.id


def test_the_vector_tile_carries_the_initiative(client):
    make_initiative(name="Ressourcerie du marais", lonlat=LONLAT)
    response = client.get(url(*tile_of(*LONLAT, 15), ext="pbf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert b"initiatives" in response.content
    assert b"Ressourcerie du marais" in response.content


def test_tiles_are_cached_for_long_and_answer_304(client):
    first = client.get(url(*tile_of(-0.58, 44.84, 10)))
    assert first.status_code == 200
    assert "immutable" in first["Cache-Control"] and "max-age=31536000" in first["Cache-Control"]
    assert first["ETag"]
    again = client.get(url(*tile_of(-0.58, 44.84, 10)), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_gzip_when_accepted(client):
    response = client.get(url(*tile_of(-0.58, 44.84, 8)), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_publishing_changes_the_version_and_old_urls_redirect(client):
    before = data_version("initiatives")
    make_initiative(status=PublicationStatus.PENDING, lonlat=LONLAT)
    assert data_version("initiatives") == before  # a pending submission changes no tile
    pending = make_initiative(status=PublicationStatus.PENDING, lonlat=LONLAT)
    pending.publication_status = PublicationStatus.PUBLISHED
    pending.save()
    after = data_version("initiatives")
    assert after > before
    z, x, y = tile_of(*LONLAT, 16)
    old = client.get(url(z, x, y, version=before, query="theme=food"))
    assert old.status_code == 302
    assert old["Location"] == url(z, x, y, version=after, query="theme=food")
    assert old["Cache-Control"] == "no-cache"
    assert client.get(url(z, x, y, version=after)).status_code == 200


def test_filters_narrow_the_tile(client):
    make_initiative(themes=["food"], lonlat=LONLAT)
    z, x, y = tile_of(*LONLAT, 16)
    assert len(members(client.get(url(z, x, y, query="theme=food")))) == 1
    assert members(client.get(url(z, x, y, query="theme=mobility"))) == []
    assert members(client.get(url(z, x, y, query="asking=true"))) == []


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/tiles/initiatives/{v}/21/0/0.json", "z"),
        ("/tiles/initiatives/{v}/3/8/0.json", "x"),
        ("/tiles/initiatives/{v}/3/0/8.pbf", "y"),
        ("/tiles/initiatives/{v}/3/0/0.json?theme=nothing", "theme"),
        ("/tiles/initiatives/{v}/3/0/0.json?since=2020&until=2010", "until"),
        ("/tiles/initiatives/{v}/3/0/0.json?since=year", "since"),
    ],
)
def test_bad_coordinates_or_filters_get_a_400_field_by_field(client, path, field):
    response = client.get(path.format(v=data_version("initiatives")))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field] and errors[field][0]


def test_a_tile_costs_a_bounded_number_of_queries_without_a_parallel_plan(client):
    z, x, y = tile_of(-0.58, 44.84, 14)
    with CaptureQueriesContext(connection) as few:
        client.get(url(z, x, y))
    for _ in range(30):
        make_initiative(lonlat=(-0.5792, 44.8378))
    with CaptureQueriesContext(connection) as many:
        client.get(url(z, x, y))
    assert len(many) == len(few) <= 4
    statements = [q["sql"] for q in many.captured_queries]
    [tile_query] = [s for s in statements if "initiatives_initiative" in s]  # one per tile
    # The guard travels with the query, in the same message.
    assert tile_query.startswith("SET LOCAL max_parallel_workers_per_gather = 0;")


def test_the_guard_holds_for_the_tile_query_only():
    """Outside a transaction (as in production, autocommit), nothing stays on the connection.
    Tests run inside one, so this uses a connection of its own."""
    import psycopg

    from territories.tiles import NO_PARALLEL_PLAN

    database = connection.settings_dict
    with (
        psycopg.connect(
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            user=database["USER"] or None,
            dbname=database["NAME"],
            autocommit=True,
        ) as own,
        psycopg.ClientCursor(own) as cursor,
    ):
        show = "SELECT current_setting('max_parallel_workers_per_gather')"
        cursor.execute(NO_PARALLEL_PLAN + show)
        cursor.nextset()
        assert cursor.fetchone()[0] == "0"
        cursor.execute(show)
        assert cursor.fetchone()[0] != "0"


def test_the_low_zoom_tiles_are_rendered_ahead_for_the_first_visitor(client):
    from initiatives.tiles import warm_tiles

    make_initiative(lonlat=LONLAT)
    assert warm_tiles(max_zoom=6) > 0
    assert warm_tiles(max_zoom=6) == 0  # already there for this data version
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(6, 31, 22))
    assert response.status_code == 200
    assert not any("ST_MakeEnvelope" in q["sql"] for q in queries.captured_queries)
    assert sum(f["properties"]["count"] for f in features(response)) > 0
