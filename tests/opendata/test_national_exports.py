"""The exports in the national formats, checked with the official schemas: data·inclusion's
pydantic models and the LaMednum Table Schema (frictionless)."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from initiatives.models import Initiative
from tests.opendata.helpers import body

FORMATS = Path(settings.BASE_DIR) / "fixtures" / "formats"


def _import(name: str, fmt: str, source: str) -> None:
    call_command(
        "import_initiatives", str(FORMATS / name), format=fmt, source=source, verbosity=0,
        stdout=io.StringIO(),
    )  # fmt: skip


@pytest.fixture
def imported():
    _import("lamednum-gironde-exemple.csv", "lamednum", "mednum")
    _import("osm-overpass-exemple.geojson", "osm", "osm")


@pytest.mark.django_db
def test_the_data_inclusion_export_is_valid_against_the_schema_v1(client, imported):
    from data_inclusion.schema.v1 import Structure

    structures = json.loads(body(client.get(reverse("opendata:initiatives-data-inclusion"))))

    published = Initiative.objects.published().exclude(licence="odbl-1.0")
    assert len(structures) == published.count()
    for structure in structures:
        Structure.model_validate(structure, context={"ignore_warnings": False})
        assert structure["courriel"] is None and structure["telephone"] is None
    cafe = next(
        s for s in structures if s["nom"] == "Café numérique des Chartrons (exemple fictif)"
    )
    assert (cafe["code_insee"], cafe["commune"], cafe["code_postal"]) == (
        "33063",
        "Bordeaux",
        "33000",
    )
    assert cafe["lien_source"].startswith("http://testserver/initiatives/")


@pytest.mark.django_db
def test_share_alike_records_stay_out_of_the_licence_ouverte_exports(client, imported):
    structures = json.loads(body(client.get(reverse("opendata:initiatives-data-inclusion"))))
    osm_ids = set(Initiative.objects.filter(source="osm").values_list("pk", flat=True))

    assert osm_ids
    assert not {s["id"] for s in structures} & {f"radar-territorial--{pk}" for pk in osm_ids}


@pytest.mark.django_db
def test_the_lamednum_export_is_valid_against_the_table_schema(client, imported, tmp_path):
    from frictionless import Resource, Schema, system

    content = body(client.get(reverse("opendata:initiatives-lamednum")))
    path = tmp_path / "lamednum.csv"
    path.write_bytes(content)
    schema = Schema.from_descriptor(
        json.loads((FORMATS / "lamednum-schema-v1.0.2.json").read_text(encoding="utf-8"))
    )
    with system.use_context(trusted=True):
        report = Resource(path=str(path), schema=schema).validate()

    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    names = {row["nom"] for row in rows}
    assert "Café numérique des Chartrons (exemple fictif)" in names
    assert all(row["courriels"] == "" and row["telephone"] == "" for row in rows)
    cafe = next(row for row in rows if row["nom"].startswith("Café numérique des Chartrons"))
    assert (cafe["code_postal"], cafe["frais_a_charge"]) == ("33000", "Gratuit")


@pytest.mark.django_db
def test_the_national_exports_take_the_api_filters(client, imported):
    url = reverse("opendata:initiatives-data-inclusion") + "?territory=33243"
    structures = json.loads(body(client.get(url)))

    assert structures
    assert {s["code_insee"] for s in structures} == {"33243"}
    assert client.get(reverse("opendata:initiatives-lamednum") + "?theme=nope").status_code == 400


@pytest.mark.django_db
def test_the_data_page_links_the_national_formats(client):
    page = client.get(reverse("opendata:index")).content.decode()

    assert reverse("opendata:initiatives-data-inclusion") in page
    assert reverse("opendata:initiatives-lamednum") in page
