"""Costs that do not grow with the data: no whole-table count on a page, no wasted sort in
the export, 7 decimals in every public output, no parallel plan for short queries."""

import csv
import io
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common import counting
from initiatives.models import Initiative
from initiatives.selectors import published_initiatives
from opendata import encoding
from tests.factories import make_initiative

# More than 7 decimals, on purpose.
PRECISE = (-0.579212345678912, 44.837812345678912)


def _decimals(value: float) -> int:
    text = repr(float(value))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _coordinates(value):
    if isinstance(value, (int, float)):
        yield value
    else:
        for item in value:
            yield from _coordinates(item)


@pytest.fixture
def precise():
    return make_initiative(location=Point(*PRECISE, srid=4326), name='Quote " back\\slash\ttab')


def test_the_export_query_sorts_once_by_id_and_not_the_model_order():
    sql, _params = encoding.initiative_features_query(published_initiatives())
    csv_sql, _ = encoding.initiative_csv_query(published_initiatives())

    for text in (sql, csv_sql):
        assert text.count("ORDER BY") == 1
        assert text.rstrip().endswith("ORDER BY i.id")
        assert '"name"' not in text.split("IN (")[1]


@pytest.mark.django_db
def test_the_geojson_export_goes_through_copy_and_is_valid_json(client, precise, monkeypatch):
    copies = []
    original = encoding._copy
    monkeypatch.setattr(encoding, "_copy", lambda *a: copies.append(a[0]) or original(*a))

    body = b"".join(client.get("/open-data/initiatives.geojson").streaming_content)

    collection = json.loads(body)
    assert len(copies) == 1
    assert len(collection["features"]) == published_initiatives().count()
    feature = next(f for f in collection["features"] if f["id"] == precise.pk)
    assert feature["properties"]["name"] == 'Quote " back\\slash\ttab'
    assert feature["geometry"]["coordinates"] == [round(PRECISE[0], 7), round(PRECISE[1], 7)]


@pytest.mark.django_db
def test_every_public_output_has_seven_decimals(client, precise):
    api = client.get("/api/v1/initiatives/", {"page_size": 1000}).json()
    ogc = client.get("/ogc/collections/initiatives/items", {"limit": 1000, "f": "json"}).json()
    detail = client.get(f"/api/v1/initiatives/{precise.pk}/").json()
    territories = client.get("/api/v1/territories/", {"level": "epci"}).json()
    exported = b"".join(client.get("/open-data/initiatives.geojson").streaming_content)
    rows = list(csv.DictReader(io.StringIO(
        b"".join(client.get("/open-data/initiatives.csv").streaming_content).decode()
    )))  # fmt: skip

    documents = [api, ogc, {"features": [detail]}, territories, json.loads(exported)]
    values = [
        value
        for document in documents
        for feature in document["features"]
        for value in _coordinates(feature["geometry"]["coordinates"])
    ]
    values += [float(row[key]) for row in rows for key in ("lon", "lat")]
    assert max(_decimals(v) for v in values) == 7  # the precise point keeps 7, no more
    assert {"-0.5792123", "44.8378123"} <= {v for row in rows for v in (row["lon"], row["lat"])}


def _whole_table_counts(queries) -> list[str]:
    """COUNT queries not bounded by a LIMIT: they would read every matching row."""
    return [
        q["sql"]
        for q in queries
        if re.search(r"COUNT\(", q["sql"], re.I) and not re.search(r"LIMIT \d+", q["sql"])
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/radar/", "/api/v1/initiatives/", "/api/v1/initiatives/?bbox=-0.7,44.8,-0.5,44.9",
     "/ogc/collections/initiatives/items?f=json", "/ogc/collections/initiatives?f=json",
     "/open-data/"],
)  # fmt: skip
def test_no_page_counts_the_whole_table(client, url, monkeypatch):
    monkeypatch.setattr(counting, "EXACT_UP_TO", 50)  # the demo is then "large"
    client.get(url)  # cached figures and results are computed once per data version

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 200
    assert _whole_table_counts(captured.captured_queries) == []


@pytest.mark.django_db
def test_a_large_total_is_estimated_and_every_page_stays_reachable(client, monkeypatch):
    monkeypatch.setattr(counting, "EXACT_UP_TO", 50)
    published = published_initiatives().count()

    first = client.get("/api/v1/initiatives/", {"page_size": 100}).json()
    last_page = -(-published // 100)
    last = client.get("/api/v1/initiatives/", {"page_size": 100, "page": last_page}).json()
    beyond = client.get("/api/v1/initiatives/", {"page_size": 100, "page": last_page + 5})

    assert first["count_estimated"] is True
    assert first["count"] > 50
    assert first["next"] is not None
    assert last["next"] is None and len(last["features"]) == published - 100 * (last_page - 1)
    assert beyond.status_code == 200 and beyond.json()["features"] == []
    small = client.get("/api/v1/initiatives/", {"bbox": "-0.58,44.83,-0.57,44.84"}).json()
    assert small["count_estimated"] is False


@pytest.mark.django_db
def test_the_home_page_says_about_when_the_total_is_estimated(client, monkeypatch):
    monkeypatch.setattr(counting, "EXACT_UP_TO", 50)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r"Environ [\d  ]+ initiatives", page)
    last = client.get("/", {"page": 9999}).status_code
    assert last == 200


@pytest.mark.django_db
def test_ogc_leaves_number_matched_out_past_the_exact_bound(client, monkeypatch):
    monkeypatch.setattr(counting, "EXACT_UP_TO", 50)
    page = client.get("/ogc/collections/initiatives/items", {"limit": 10, "f": "json"}).json()
    small = client.get(
        "/ogc/collections/initiatives/items", {"limit": 10, "bbox": "-0.58,44.83,-0.57,44.84"}
    ).json()

    assert "numberMatched" not in page
    assert any(link["rel"] == "next" for link in page["links"])
    assert small["numberMatched"] == len(small["features"])


@pytest.mark.django_db
def test_short_queries_get_no_parallel_plan(settings):
    assert (
        "max_parallel_workers_per_gather=0" in settings.DATABASES["default"]["OPTIONS"]["options"]
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db
def test_a_cached_figure_changes_with_the_data():
    first = counting.cached_figure("n", lambda: Initiative.objects.count())
    make_initiative()
    assert counting.cached_figure("n", lambda: Initiative.objects.count()) == first + 1
