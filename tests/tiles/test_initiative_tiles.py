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


# Stored cells (initiatives.tiles.rebuild_tile_cells) ----------------------------------------

PLACES = ((-0.5792, 44.8378), (-0.2432, 44.9153), (-1.1612, 44.6586))
LOW_ZOOM_TILES = [tile_of(lon, lat, z) for z in (3, 6, 8, 9, 10, 11) for lon, lat in PLACES]


def both_ways(monkeypatch, render, tile, filters):
    """The tile drawn from the stored cells, then grouped from the points."""
    from initiatives import tiles

    stored = render(tile=tile, filters=filters)
    monkeypatch.setattr(tiles, "stored_cells_are_current", lambda: False)
    live = render(tile=tile, filters=filters)
    monkeypatch.undo()
    return stored, live


def same_cells(stored: bytes, live: bytes) -> bool:
    """The same cells, up to the last digit of a mean (PostgreSQL sums floats in scan order)."""
    a, b = json.loads(stored)["features"], json.loads(live)["features"]
    assert len(a) == len(b)
    for one, other in zip(a, b, strict=True):
        assert one["properties"]["count"] == other["properties"]["count"]
        assert one["properties"].get("initiatives") == other["properties"].get("initiatives")
        assert one["properties"]["bbox"] == pytest.approx(other["properties"]["bbox"], abs=2e-6)
        assert one["geometry"]["coordinates"] == pytest.approx(
            other["geometry"]["coordinates"], abs=2e-7
        )
    return True


def test_stored_cells_draw_the_same_tiles_as_the_points(monkeypatch):
    from initiatives import tiles
    from territories.tiles import Tile

    for lonlat in ((-0.5, 44.8), (-0.51, 44.81), (-0.9, 45.3)):
        make_initiative(lonlat=lonlat)
    assert tiles.rebuild_tile_cells() == data_version("initiatives")
    assert tiles.stored_cells_are_current()
    filters = tiles.TileFilterForm({})
    assert filters.is_valid()
    drawn = 0
    for z, x, y in LOW_ZOOM_TILES:
        tile = Tile(z, x, y)
        stored, live = both_ways(monkeypatch, tiles.initiative_tile_geojson, tile, filters)
        assert same_cells(stored, live), (z, x, y)
        drawn += len(json.loads(stored)["features"]) > 0
        stored, live = both_ways(monkeypatch, tiles.initiative_tile_mvt, tile, filters)
        assert bool(stored) == bool(live), (z, x, y)
    assert drawn >= len(LOW_ZOOM_TILES) // 2  # most of these tiles hold initiatives


def test_a_tile_reads_its_stored_cells_only_while_they_describe_the_current_data(client):
    from initiatives import tiles

    tiles.rebuild_tile_cells()
    z, x, y = tile_of(*LONLAT, 9)
    before = sum(f["properties"]["count"] for f in features(client.get(url(z, x, y))))
    with CaptureQueriesContext(connection) as queries:
        client.get(url(z, x, y, query="theme=food"))  # a filtered tile groups the points
    assert not any("initiatives_tilecell " in q["sql"] for q in queries.captured_queries)

    make_initiative(lonlat=LONLAT)  # a new version: the cells are out of date
    assert not tiles.stored_cells_are_current()
    with CaptureQueriesContext(connection) as queries:
        after = sum(f["properties"]["count"] for f in features(client.get(url(z, x, y))))
    assert after == before + 1
    assert not any("initiatives_tilecell c" in q["sql"] for q in queries.captured_queries)

    tiles.rebuild_tile_cells()  # the worker catches up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(z, x, y, ext="pbf"))
    assert response.status_code == 200
    assert any("FROM initiatives_tilecell c" in q["sql"] for q in queries.captured_queries)
    assert not any("ST_MakeEnvelope" in q["sql"] for q in queries.captured_queries)


def test_the_stored_cells_hold_only_public_fields_of_published_initiatives():
    from initiatives import tiles
    from initiatives.models import TileCell

    hidden = make_initiative(lonlat=LONLAT, status=PublicationStatus.PENDING)
    shown = make_initiative(lonlat=(LONLAT[0] + 0.3, LONLAT[1]))
    tiles.rebuild_tile_cells()
    published = Initiative.objects.published().count()
    for zoom in range(tiles.CELL_ZOOMS):
        cells = TileCell.objects.filter(zoom=zoom)
        assert sum(cells.values_list("count", flat=True)) == published
    ids = {i for cell in TileCell.objects.exclude(ids=None) for i in cell.ids}
    assert shown.id in ids and hidden.id not in ids


def test_the_worker_builds_the_cells_with_the_radar():
    from initiatives import tiles
    from radar import tasks

    make_initiative(lonlat=LONLAT)
    assert not tiles.stored_cells_are_current()
    tasks.recompute_radar.call()
    assert tiles.stored_cells_are_current()
