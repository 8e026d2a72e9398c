import json

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Initiative

HEADER = "id,name,short_description,themes,actor_types,reciprocity,start_date,lon,lat\n"
GOOD = (
    "a1,Jardin des Chartrons,Un jardin partagé.,food|environment,citizen|public,oui,2021-05,"
    "-0.5720,44.8580\n"
)


def write(tmp_path, text, name="initiatives.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path, capsys, **options):
    call_command("import_initiatives", path, source="test-import", verbosity=0, **options)
    return capsys.readouterr().out


@pytest.mark.django_db
def test_it_imports_a_csv_row_with_its_lists_booleans_and_month_precision(tmp_path, capsys):
    out = run(write(tmp_path, HEADER + GOOD), capsys)

    assert "Créées : 1 · mises à jour : 0 · inchangées : 0 · rejetées : 0" in out
    garden = Initiative.objects.get(source="test-import", source_id="a1")
    assert garden.themes == ["food", "environment"]
    assert garden.actor_types == ["citizen", "public"]
    assert garden.reciprocity is True
    assert (garden.start_date.isoformat(), garden.start_date_precision) == ("2021-05-01", "month")
    assert garden.territory.code == "33063"
    assert garden.publication_status == "published"


@pytest.mark.django_db
def test_a_rerun_changes_nothing_and_an_edit_updates(tmp_path, capsys):
    run(write(tmp_path, HEADER + GOOD), capsys)

    assert "inchangées : 1" in run(write(tmp_path, HEADER + GOOD), capsys)
    edited = GOOD.replace("Un jardin partagé.", "Un jardin partagé et un compost.")
    assert "mises à jour : 1" in run(write(tmp_path, HEADER + edited), capsys)
    assert Initiative.objects.filter(source="test-import").count() == 1


@pytest.mark.django_db
def test_rows_with_bad_coordinates_are_reported_by_line_and_not_stored(tmp_path, capsys):
    rows = (
        GOOD
        + "a2,Nulle part,Hors champ.,food,,,,abc,44.8\n"
        + "a3,Trop loin,Hors champ.,food,,,,2.35,48.85\n"
        + "a4,Pas un nombre,Hors champ.,food,,,,nan,nan\n"
    )

    out = run(write(tmp_path, HEADER + rows), capsys)

    assert "Créées : 1 · mises à jour : 0 · inchangées : 0 · rejetées : 3" in out
    assert "Ligne 3 :" in out and "Ligne 4 :" in out and "Ligne 5 :" in out
    assert set(
        Initiative.objects.filter(source="test-import").values_list("source_id", flat=True)
    ) == {"a1"}


@pytest.mark.django_db
def test_it_reads_geojson_with_a_column_mapping(tmp_path, capsys):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-0.572, 44.858]},
                "properties": {
                    "ref": "g1",
                    "titre": "Frigo du quartier",
                    "resume": "Un frigo.",
                    "themes": ["food"],
                },
            }
        ],
    }
    path = write(tmp_path, json.dumps(collection), "i.geojson")

    run(path, capsys, id_field="ref", map=["name=titre", "short_description=resume"])

    assert Initiative.objects.get(source="test-import", source_id="g1").name == "Frigo du quartier"


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_clearly(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + GOOD.replace("partagé", "partagé é")).encode("latin-1"))

    with pytest.raises(CommandError, match="n’est pas un fichier utf-8 valide"):
        call_command("import_initiatives", str(path), source="test-import", verbosity=0)
    assert not Initiative.objects.filter(source="test-import").exists()
