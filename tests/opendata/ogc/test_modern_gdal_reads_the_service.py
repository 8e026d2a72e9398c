"""A recent GDAL (the one bundled in pyogrio's wheel) reads the service from a real server.

Recent GDALs ask the items for the advertised storageCrs with ?crs=; the service must take it.
Their OAPIF driver still translates a `where` only to the pre-standard draft "cql-text", never
to CQL2, so the where below is evaluated by GDAL on the client: the test checks that the
answer is right, whoever computes it.
"""

import re

import pytest
from django.urls import reverse

from initiatives.models import Initiative

pyogrio = pytest.importorskip("pyogrio")


def test_a_recent_gdal_reads_the_initiatives_with_a_where(server):
    frame = pyogrio.read_dataframe(
        f"OAPIF:{server.url}/ogc", layer="initiatives", where="activity_status = 'dormant'"
    )
    expected = Initiative.objects.published().filter(activity_status="dormant")
    assert sorted(frame["activity_status"]) == ["dormant"] * expected.count()
    failed = [line for line in server.requests() if re.search(r'HTTP/1.1" [45]\d\d', line)]
    assert failed == []
    assert any("crs=http" in line for line in server.requests())


@pytest.mark.django_db
def test_items_take_crs84_as_crs_and_say_so(client):
    items = reverse("ogc:items", args=["initiatives"])
    response = client.get(items, {"crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"})
    assert response.status_code == 200
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    other = client.get(items, {"crs": "http://www.opengis.net/def/crs/EPSG/0/2154"})
    assert other.status_code == 400
    assert other.json()["description"] == (
        "crs must be http://www.opengis.net/def/crs/OGC/1.3/CRS84."
    )
