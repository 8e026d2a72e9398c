"""An instance that serves a région (RADAR_SERVED_LEVEL=region), end to end: the région built
from its départements, contributions accepted inside it and refused outside, every public
page, API and radar analysis answering at each level."""

import io

import pytest
from django.core.management import call_command

from territories.models import Territory

REGION = {"level": "region", "code": "75"}
INSIDE = {"lon": -0.5792, "lat": 44.8378}  # Bordeaux
OUTSIDE = {"lon": 2.3522, "lat": 48.8566}  # Paris


@pytest.fixture
def region(settings):
    # As the README shows: the région by union of its départements (here the one in the demo).
    call_command(
        "build_territories", "--level", "region", "--from-level", "departement",
        "--code", "75", "--name", "Nouvelle-Aquitaine", "--members-prefix", "33",
        stdout=io.StringIO(),
    )  # fmt: skip
    settings.RADAR_SERVED_TERRITORY = REGION
    return Territory.objects.get(**REGION)


def _submission(place: dict) -> dict:
    return {
        "name": "Atelier vélo partagé",
        "short_description": "On répare les vélos ensemble.",
        "themes": ["mobility"],
        "contact_email": "porteur@example.net",
        **place,
    }


@pytest.mark.django_db
def test_a_region_is_served_end_to_end(client, region):
    assert Territory.objects.get(level="departement", code="33").parent == region

    inside = client.post(
        "/api/v1/submissions/", _submission(INSIDE), content_type="application/json"
    )
    outside = client.post(
        "/api/v1/submissions/", _submission(OUTSIDE), content_type="application/json"
    )
    assert inside.status_code == 201, inside.content
    assert outside.status_code == 400 and "location" in outside.json()

    urls = [
        "/",
        "/radar/",
        "/radar/territoire/75/",
        "/radar/territoire/33/",
        "/radar/territoire/33063/",
        "/radar/territoire/75/chiffres.csv",
        "/api/v1/territories/?level=region",
        "/api/v1/radar/gaps/?level=epci",
        "/api/v1/radar/signals/?territory=75",
        "/api/v1/radar/trends/?level=epci&inference=normal",
        "/api/v1/radar/emerging/",
        "/api/v1/radar/insights/",
        "/ogc/collections/territories/items?f=json&level=region",
        "/open-data/territories.geojson?level=region",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url

    regions = client.get("/api/v1/territories/?level=region").json()["features"]
    assert [f["id"] for f in regions] == ["75"]
    profile = client.get("/radar/territoire/75/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Nouvelle-Aquitaine" in profile
