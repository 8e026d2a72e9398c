"""Each radar computation reads what it needs once: the initiatives in one query, the level's
territories (for the computation and for the map) in one query. Requests never compute (the
task worker does, through the same code): `computing()` has the request compute in place."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from radar.reports import cache

pytestmark = pytest.mark.django_db


def _reads(client, name: str, params: dict) -> tuple[list[str], list[str]]:
    with CaptureQueriesContext(connection) as queries, cache.computing():
        assert client.get(reverse(name), params).status_code == 200
    sql = [query["sql"] for query in queries]
    initiatives = [s for s in sql if "ST_X" in s]  # the initiatives' points
    territories = [s for s in sql if "ST_AsBinary" in s or "ST_AsGeoJSON" in s]
    return initiatives, territories


def test_a_gaps_request_reads_the_initiatives_and_the_territories_once(client):
    cache.cache.clear()  # rolled back with the test: the cache lives in the test's database
    initiatives, territories = _reads(client, "api:radar-gaps", {"level": "epci"})

    assert len(initiatives) == 1
    assert len(territories) == 1
    assert "ST_AsBinary" in territories[0] and "ST_AsGeoJSON" in territories[0]


def test_a_trends_request_reads_the_initiatives_and_the_territories_once(client):
    cache.cache.clear()
    initiatives, territories = _reads(
        client, "api:radar-trends", {"level": "epci", "inference": "normal"}
    )

    assert len(initiatives) == 1
    assert len(territories) == 1


def test_a_stored_result_reads_no_initiative_again(client):
    _reads(client, "api:radar-gaps", {"level": "epci"})

    initiatives, territories = _reads(client, "api:radar-gaps", {"level": "epci"})

    assert initiatives == []
    assert len(territories) == 1  # the map's polygons
