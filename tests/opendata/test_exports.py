import csv
import io
import itertools
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from initiatives.models import Initiative
from initiatives.services import IMPORTABLE
from opendata.columns import COLUMNS
from tests.factories import make_initiative
from tests.opendata.helpers import body, get_json

PUBLISHED = 523  # 87 real third places + 436 synthetic examples in the demo


def _ring_area(ring):
    """Twice the signed area (shoelace): positive when counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))


def _csv_rows(client, query=""):
    response = client.get(reverse("opendata:initiatives-csv") + query)
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


@pytest.mark.django_db
def test_the_geojson_export_is_an_rfc7946_feature_collection_of_published_initiatives(client):
    make_initiative(status="pending", name="Pas encore publié")
    document = get_json(client, reverse("opendata:initiatives-geojson"))
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    assert len(document["features"]) == PUBLISHED
    first = document["features"][0]
    initiative = Initiative.objects.get(pk=first["id"])
    assert first["geometry"] == {
        "type": "Point",
        "coordinates": [initiative.location.x, initiative.location.y],
    }
    assert list(first["properties"]) == [c.name for c in COLUMNS[3:]]
    assert "Pas encore publié" not in json.dumps(document)


@pytest.mark.django_db
def test_the_geojson_export_streams_with_its_media_type(client):
    response = client.get(reverse("opendata:initiatives-geojson"))
    assert response.streaming
    assert response["Content-Type"] == "application/geo+json"


@pytest.mark.django_db
def test_territory_polygons_follow_the_right_hand_rule(client):
    document = get_json(client, reverse("opendata:territories-geojson"))
    assert len(document["features"]) == 567
    for feature in document["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            assert _ring_area(polygon[0]) > 0, feature["id"]
            assert all(_ring_area(hole) < 0 for hole in polygon[1:]), feature["id"]


@pytest.mark.django_db
def test_the_territories_export_counts_the_published_initiatives_inside_them(client):
    document = get_json(client, reverse("opendata:territories-geojson") + "?level=departement")
    (gironde,) = document["features"]
    assert gironde["id"] == "33"
    assert gironde["properties"]["population"] == 1690493
    assert gironde["properties"]["published_initiatives"] == PUBLISHED
    assert gironde["properties"]["active_initiatives"] == 463


@pytest.mark.django_db
def test_the_csv_has_one_row_per_geojson_feature_with_the_same_ids(client):
    rows = _csv_rows(client)
    features = get_json(client, reverse("opendata:initiatives-geojson"))["features"]
    assert [int(row["id"]) for row in rows] == [feature["id"] for feature in features]
    assert list(rows[0]) == [column.name for column in COLUMNS]


@pytest.mark.django_db
def test_the_csv_joins_multiple_values_with_a_pipe(client):
    initiative = make_initiative(themes=["food", "housing"], languages=["fr", "es"])
    (row,) = _csv_rows(client, f"?q={initiative.name.replace(' ', '+')}")
    assert row["themes"] == "food|housing"
    assert row["languages"] == "es|fr"
    assert (float(row["lon"]), float(row["lat"])) == (initiative.location.x, initiative.location.y)


COMPARED = [name for name in IMPORTABLE if name not in {"contact_email", "last_confirmed_at"}]


def _round_trip(client, tmp_path, query: str) -> list[tuple[Initiative, Initiative]]:
    """Export the selection as CSV, import it under another source: (original, copy) pairs."""
    path = tmp_path / "initiatives.csv"
    path.write_bytes(body(client.get(reverse("opendata:initiatives-csv") + query)))
    call_command(
        "import_initiatives", str(path), source="roundtrip", verbosity=0, stdout=io.StringIO()
    )
    copies = Initiative.objects.filter(source="roundtrip").order_by("source_id")
    return [(Initiative.objects.get(pk=int(copy.source_id)), copy) for copy in copies]


def _same_data(original: Initiative, copy: Initiative) -> bool:
    return (
        {name: getattr(copy, name) for name in COMPARED}
        == {name: getattr(original, name) for name in COMPARED}
        and copy.location.equals_exact(original.location, 1e-9)
        and copy.territory_id == original.territory_id
    )


@pytest.mark.django_db
def test_the_csv_imports_back_as_the_same_initiatives(client, tmp_path):
    pairs = _round_trip(client, tmp_path, "?territory=33063")
    assert len(pairs) == 80  # the initiatives of Bordeaux
    for original, copy in pairs:
        assert _same_data(original, copy), original.pk


@pytest.mark.django_db
def test_a_name_with_double_quotes_imports_back_unchanged(client, tmp_path):
    original = make_initiative(name='Le "Repair" de Zébulon')
    # Last of Bordeaux's rows, past the sample from which the importer guesses the dialect.
    pairs = dict(_round_trip(client, tmp_path, "?territory=33063"))
    assert pairs[original].name == original.name


@pytest.mark.django_db
def test_a_second_request_with_the_etag_gets_304(client):
    url = reverse("opendata:initiatives-csv")
    first = client.get(url)
    body(first)
    assert first["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.django_db
def test_a_change_gives_a_new_etag(client):
    url = reverse("opendata:initiatives-geojson")
    before = client.get(url)["ETag"]
    make_initiative()
    assert client.get(url, headers={"If-None-Match": before}).status_code == 200


@pytest.mark.django_db
def test_the_exports_are_gzipped_when_the_client_accepts_it(client):
    plain = body(client.get(reverse("opendata:initiatives-csv")))
    response = client.get(reverse("opendata:initiatives-csv"), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert body(response) == plain


@pytest.mark.django_db
def test_the_exports_take_the_api_filters_and_refuse_bad_values(client):
    rows = _csv_rows(client, "?is_synthetic=false")
    assert len(rows) == 87
    assert {row["is_synthetic"] for row in rows} == {"false"}
    response = client.get(reverse("opendata:initiatives-geojson") + "?bbox=1,2,3")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"bbox": ["bbox must be four numbers: west,south,east,north."]}
    }


@pytest.mark.django_db
def test_the_table_schema_describes_every_csv_column(client):
    schema = client.get(reverse("opendata:initiatives-schema")).json()
    header = next(
        csv.reader(io.StringIO(body(client.get(reverse("opendata:initiatives-csv"))).decode()))
    )
    assert [field["name"] for field in schema["fields"]] == header
    themes = next(field for field in schema["fields"] if field["name"] == "themes")
    assert themes["constraints"]["pattern"].startswith("^((food|repair_reuse|")
    assert schema["primaryKey"] == "id"


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
@pytest.mark.django_db
def test_gdal_reads_the_geojson_export_with_every_feature(client, tmp_path):
    path = tmp_path / "initiatives.geojson"
    path.write_bytes(body(client.get(reverse("opendata:initiatives-geojson"))))
    output = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Feature Count: 523" in output
    assert "Geometry: Point" in output
