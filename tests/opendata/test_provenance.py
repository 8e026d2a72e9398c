"""Every record's source, licence and attribution, in every public output."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from initiatives.models import Initiative
from tests.opendata.helpers import body, get_json

OVERPASS = Path(settings.BASE_DIR) / "fixtures" / "formats" / "osm-overpass-exemple.geojson"
OSM_ATTRIBUTION = "© les contributeurs d’OpenStreetMap"


@pytest.fixture
def osm_records():
    call_command(
        "import_initiatives",
        str(OVERPASS),
        format="osm",
        source="osm-gironde",
        verbosity=0,
        stdout=io.StringIO(),
    )
    return Initiative.objects.filter(source="osm-gironde")


@pytest.mark.django_db
def test_existing_demo_records_carry_their_provenance():
    demo = Initiative.objects.filter(source="demo").first()
    census = Initiative.objects.filter(source="tiers-lieux-2019").first()

    assert (demo.licence, demo.attribution) == (
        "etalab-2.0",
        "Radar territorial — exemple fictif (données synthétiques)",
    )
    assert census.attribution == "CGET/ANCT, recensement des tiers-lieux 2019 (Mission coworking)"


@pytest.mark.django_db
def test_the_api_gives_each_record_its_licence_and_filters_by_licence(client, osm_records):
    url = reverse("api:initiative-list") + "?licence=odbl-1.0&page_size=100"
    features = get_json(client, url)["features"]

    assert {f["properties"]["source"] for f in features} == {"osm-gironde"}
    assert len(features) == osm_records.count() == 4
    garden = next(f for f in features if f["properties"]["source_id"] == "way/900000002")
    assert garden["properties"]["licence"] == "odbl-1.0"
    assert garden["properties"]["attribution"] == OSM_ATTRIBUTION
    assert garden["properties"]["source_url"] == "https://www.openstreetmap.org/way/900000002"


@pytest.mark.django_db
def test_the_csv_export_carries_the_provenance_columns_and_the_licence_filter(client, osm_records):
    content = body(client.get(reverse("opendata:initiatives-csv") + "?licence=odbl-1.0"))
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))

    assert len(rows) == 4
    assert {(row["licence"], row["attribution"]) for row in rows} == {("odbl-1.0", OSM_ATTRIBUTION)}
    everything = body(client.get(reverse("opendata:initiatives-csv"))).decode("utf-8")
    assert "etalab-2.0" in everything and "odbl-1.0" in everything


@pytest.mark.django_db
def test_an_unknown_licence_is_refused_clearly(client):
    response = client.get(reverse("opendata:initiatives-geojson") + "?licence=wtfpl")

    assert response.status_code == 400
    assert "licence" in response.json()["errors"]


@pytest.mark.django_db
def test_the_data_page_lists_each_source_with_licence_count_and_the_share_alike_rule(
    client, osm_records
):
    page = client.get(reverse("opendata:index")).content.decode()

    assert "<code>osm-gironde</code>" in page
    assert "Open Database License (ODbL) 1.0" in page
    assert OSM_ATTRIBUTION in page
    assert "<td>4</td>" in page
    assert "Share-alike: the records under the ODbL (OpenStreetMap)" in page


@pytest.mark.django_db
def test_the_detail_page_shows_licence_attribution_and_a_link_to_the_source(client, osm_records):
    garden = osm_records.get(source_id="way/900000002")

    page = client.get(reverse("initiatives:detail", args=[garden.pk])).content.decode()

    assert OSM_ATTRIBUTION in page
    assert "Open Database License (ODbL) 1.0" in page
    assert 'href="https://www.openstreetmap.org/way/900000002"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["collaboration_mode=hybrid", "economic_model=free", "status=active", "licence=cc0-1.0"],
)
def test_the_exports_take_every_multiple_choice_filter(client, query):
    for name in ("opendata:initiatives-csv", "opendata:initiatives-geojson"):
        response = client.get(reverse(name) + "?" + query)
        assert response.status_code == 200
        body(response)
