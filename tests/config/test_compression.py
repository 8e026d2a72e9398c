"""HTML and JSON are gzip-compressed for clients that accept it; a private link never is."""

import gzip
import json

import pytest

from tests.factories import BORDEAUX

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/", "/radar/", "/open-data/", "/api/v1/initiatives/", "/api/v1/territories/"]
)
def test_pages_and_json_are_gzipped_when_the_client_accepts_it(client, url):
    plain = client.get(url)
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert len(compressed.content) < len(plain.content) / 2
    assert gzip.decompress(compressed.content).count(b"<") == plain.content.count(b"<")


def test_nothing_is_compressed_for_a_client_that_does_not_accept_it(client):
    response = client.get("/", HTTP_ACCEPT_ENCODING="identity")

    assert not response.has_header("Content-Encoding")


def test_streamed_exports_are_compressed_once(client):
    response = client.get("/open-data/initiatives.geojson", HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    document = json.loads(gzip.decompress(b"".join(response.streaming_content)))
    assert document["type"] == "FeatureCollection"


def test_a_response_carrying_a_private_link_is_not_compressed(client):
    """BREACH: the private link is the one secret that is neither masked nor rotated."""
    body = {
        "name": "Atelier vélo",
        "short_description": "On répare son vélo.",
        "themes": ["mobility"],
        "location": {"type": "Point", "coordinates": list(BORDEAUX)},
        "contact_email": "cyclist@example.net",
    }
    response = client.post(
        "/api/v1/submissions/",
        json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_ENCODING="gzip",
    )

    assert response.status_code == 201
    assert not response.has_header("Content-Encoding")
    assert "private_link" in response.json()
