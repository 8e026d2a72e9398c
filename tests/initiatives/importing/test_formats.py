"""Every import format: good files, dry run, re-run, bad rows by line, lat/lon order, records
without coordinates, personal data kept out, provenance and licence recorded."""

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

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "formats"

# (file, format, extra options, expected source ids)
GOOD_FILES = [
    (
        "lamednum-gironde-exemple.csv",
        "lamednum",
        {},
        {"mednum-33-001", "mednum-33-002", "mednum-33-003"},
    ),
    (
        "lamednum-gironde-exemple.json",
        "lamednum",
        {},
        {"mednum-33-001", "mednum-33-002", "mednum-33-003"},
    ),
    (
        "data-inclusion-structures-exemple.json",
        "data-inclusion",
        {},
        {"exemple--structure-1", "exemple--structure-2"},
    ),
    (
        "data-inclusion-services-exemple.csv",
        "data-inclusion",
        {},
        {"exemple--service-1", "exemple--service-2"},
    ),
    ("gogocarto-exemple.json", "gogocarto", {}, {"AbC1", "AbC2"}),
    (
        "gogocarto-compact-exemple.json",
        "gogocarto",
        {"mapping": str(FIXTURES / "gogocarto-compact-mapping.json")},
        {"CpT1", "CpT2"},
    ),
    (
        "osm-overpass-exemple.geojson",
        "osm",
        {},
        {"node/900000001", "way/900000002", "node/900000003", "node/900000004"},
    ),
    ("osm-exemple.osm", "osm", {}, {"node/900000101", "node/900000102"}),
    (
        "csv-exemple.csv",
        "csv",
        {"mapping": str(FIXTURES / "csv-exemple-mapping.json")},
        {"loc-1", "loc-2"},
    ),
    ("geojson-exemple.geojson", "geojson", {}, {"g-1"}),
]
# What the example files hold that identifies or reaches a person: never in public outputs.
PERSONAL = [
    "contact@example.org",
    "accueil@example.org",
    "marie.exemple@example.org",
    "benevole@example.org",
    "Marie Exemple",
    "Jean Exemple",
    "+33556000000",
    "+33556000001",
    "+33556000002",
    "0556000003",
    "+33 5 56 00 00 04",
]


def run(path, source="test-formats", **options) -> str:
    out = io.StringIO()
    call_command("import_initiatives", str(path), source=source, verbosity=0, stdout=out, **options)
    return out.getvalue()


def imported(source="test-formats"):
    return Initiative.objects.filter(source=source)


def ids(source="test-formats") -> set[str]:
    return set(imported(source).values_list("source_id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "fmt", "options", "expected"), GOOD_FILES)
def test_a_good_file_imports_every_record_published_with_its_territory(
    name, fmt, options, expected
):
    out = run(FIXTURES / name, format=fmt, **options)

    assert f"Créées : {len(expected)} · mises à jour : 0 · inchangées : 0 · rejetées : 0" in out
    assert ids() == expected
    for initiative in imported():
        assert initiative.publication_status == "published"
        assert initiative.territory is not None and initiative.territory.level == "commune"
        assert initiative.themes


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "fmt", "options", "expected"), GOOD_FILES)
def test_a_dry_run_reports_each_line_and_stores_nothing(name, fmt, options, expected):
    out = run(FIXTURES / name, format=fmt, dry_run=True, **options)

    assert "Essai à blanc : rien n’a été enregistré." in out
    for source_id in expected:
        assert f"({source_id}) : créée" in out
    assert not imported().exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "fmt", "options", "expected"), GOOD_FILES)
def test_a_rerun_changes_nothing(name, fmt, options, expected):
    run(FIXTURES / name, format=fmt, **options)
    stamps = dict(imported().values_list("source_id", "updated_at"))

    out = run(FIXTURES / name, format=fmt, **options)

    assert f"Créées : 0 · mises à jour : 0 · inchangées : {len(expected)}" in out
    assert dict(imported().values_list("source_id", "updated_at")) == stamps


@pytest.mark.django_db
def test_lamednum_maps_services_typology_costs_access_and_keeps_contacts_out():
    run(FIXTURES / "lamednum-gironde-exemple.csv", format="lamednum")

    cafe = imported().get(source_id="mednum-33-001")
    assert cafe.themes == ["digital_inclusion"]
    assert cafe.actor_types == ["associative"]
    assert cafe.economic_model == "free"
    assert cafe.step_free_access is True
    assert cafe.usable_without_internet is True
    assert cafe.collaboration_mode == "in_person"
    assert cafe.territory.code == "33063"
    assert (cafe.licence, cafe.attribution) == (
        "etalab-2.0",
        "Lieux de médiation numérique (standard LaMednum)",
    )
    assert cafe.contact_email == ""
    third_place = imported().get(source_id="mednum-33-003")
    assert third_place.themes == ["digital_inclusion", "culture", "repair_reuse", "third_place"]
    assert third_place.economic_model == "paid"
    assert imported().get(source_id="mednum-33-002").collaboration_mode == "hybrid"


@pytest.mark.django_db
def test_lamednum_rows_the_schema_refuses_are_reported_by_line(tmp_path):
    text = (FIXTURES / "lamednum-gironde-exemple.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[2] = lines[2].replace('"33500"', '"ABC"')  # code_postal: five digits
    path = tmp_path / "lamednum.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    out = run(path, format="lamednum")

    assert "Créées : 2 · mises à jour : 0 · inchangées : 0 · rejetées : 1" in out
    assert "Ligne 3 : Non conforme au schéma LaMednum : code_postal" in out
    assert "mednum-33-002" not in ids()


@pytest.mark.django_db
def test_data_inclusion_maps_thematiques_and_refuses_what_its_models_refuse(tmp_path):
    run(FIXTURES / "data-inclusion-services-exemple.csv", format="data-inclusion")
    service = imported().get(source_id="exemple--service-2")
    assert service.themes == ["digital_inclusion"]
    assert service.collaboration_mode == "hybrid"
    assert service.economic_model == "free"

    items = json.loads((FIXTURES / "data-inclusion-structures-exemple.json").read_text())
    items[1]["code_postal"] = "3370"
    path = tmp_path / "structures.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    out = run(path, source="di-bad", format="data-inclusion")

    assert "rejetées : 1" in out
    assert "Ligne 2 : Non conforme au schéma data·inclusion v1 : code_postal" in out


@pytest.mark.django_db
def test_gogocarto_reads_the_licence_of_the_file_and_keeps_unknown_categories_aside():
    out = run(FIXTURES / "gogocarto-exemple.json", format="gogocarto")

    garden = imported().get(source_id="AbC2")
    assert garden.themes == ["food"]
    assert garden.raw_values == {"themes": ["Compostage collectif"]}
    assert garden.licence == "odbl-1.0"
    assert "Compostage collectif" not in out  # reported only in a dry run, line by line
    dry = run(FIXTURES / "gogocarto-exemple.json", format="gogocarto", dry_run=True)
    assert "themes : Compostage collectif hors de notre vocabulaire, gardé à part" in dry


@pytest.mark.django_db
def test_osm_maps_tags_keeps_odbl_and_its_attribution_and_links_the_object():
    run(FIXTURES / "osm-overpass-exemple.geojson", format="osm")

    garden = imported().get(source_id="way/900000002")
    assert garden.themes == ["food", "environment"]
    assert (garden.start_date.year, garden.start_date_precision) == (2015, "year")
    assert garden.licence == "odbl-1.0"
    assert garden.attribution == "© les contributeurs d’OpenStreetMap"
    assert garden.source_url == "https://www.openstreetmap.org/way/900000002"
    assert imported().get(source_id="node/900000001").step_free_access is True


@pytest.mark.django_db
def test_an_osm_feature_without_a_known_tag_is_reported_not_guessed(tmp_path):
    feature = {
        "type": "Feature",
        "properties": {"@id": "node/1", "amenity": "bench"},
        "geometry": {"type": "Point", "coordinates": [-0.57, 44.84]},
    }
    path = tmp_path / "o.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))

    out = run(path, format="osm")

    assert "Ligne 1 : Aucune de nos balises sur cet objet (amenity=bench)" in out
    assert not imported().exists()


@pytest.mark.django_db
def test_an_osm_extract_is_filtered_while_read_not_loaded_whole(tmp_path, monkeypatch):
    """GDAL keeps only the candidates (an attribute filter while it streams the file): the
    streets of an extract never reach memory."""
    import pyogrio

    streets = "".join(
        f'<node id="{n}" version="1" lat="44.8{n % 100:02d}" lon="-0.5{n % 97:02d}">'
        '<tag k="highway" v="crossing"/></node>'
        for n in range(1, 3001)
    )
    places = (
        '<node id="9001" version="1" lat="44.84" lon="-0.57"><tag k="amenity" v="give_box"/>'
        '</node><node id="9002" version="1" lat="44.85" lon="-0.58">'
        '<tag k="repair_cafe" v="yes"/><tag k="name" v="Répar’café"/></node>'
    )
    path = tmp_path / "extract.osm"
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{streets}{places}</osm>')
    read = []
    original = pyogrio.read_dataframe

    def counting(*args, **kwargs):
        frame = original(*args, **kwargs)
        read.append(len(frame))
        return frame

    monkeypatch.setattr(pyogrio, "read_dataframe", counting)

    run(path, format="osm")

    assert sum(read) == 2
    assert set(imported().values_list("source_id", flat=True)) == {"node/9001", "node/9002"}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["geojson", "osm"])
def test_geojson_coordinates_are_read_as_longitude_then_latitude(tmp_path, fmt):
    # Bordeaux is at longitude -0.58, latitude 44.84; read the other way round it would be
    # in the Indian Ocean, outside the served territory.
    feature = {
        "type": "Feature",
        "id": "node/7",
        "properties": {
            "id": "node/7",
            "name": "Boîte à livres",
            "short_description": "Une boîte.",
            "themes": ["culture"],
            "amenity": "public_bookcase",
        },
        "geometry": {"type": "Point", "coordinates": [-0.58, 44.84]},
    }
    path = tmp_path / "order.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))

    run(path, format=fmt)

    stored = imported().get()
    assert (stored.location.x, stored.location.y) == (-0.58, 44.84)
    assert stored.territory.code == "33063"


@pytest.mark.django_db
def test_csv_coordinates_follow_the_named_columns_whatever_their_order(tmp_path):
    path = tmp_path / "order.csv"
    path.write_text(
        "id,lat,lon,name,short_description,themes\nx1,44.84,-0.58,Frigo,Un frigo.,food\n"
    )

    run(path)

    assert tuple(imported().get().location.coords) == (-0.58, 44.84)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "name", "change"),
    [
        ("lamednum", "lamednum-gironde-exemple.csv", "lamednum"),
        ("gogocarto", "gogocarto-exemple.json", "gogocarto"),
        ("data-inclusion", "data-inclusion-structures-exemple.json", "di"),
    ],
)
def test_a_record_without_coordinates_is_rejected_with_the_reason(tmp_path, fmt, name, change):
    path = tmp_path / name
    if change == "lamednum":
        rows = list(csv.DictReader((FIXTURES / name).open(encoding="utf-8")))
        rows[0]["latitude"] = rows[0]["longitude"] = ""
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        line = 2
    else:
        document = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        items = document["data"] if change == "gogocarto" else document
        if change == "gogocarto":
            items[0].pop("geo")
        else:
            items[0].pop("latitude")
            items[0].pop("longitude")
        path.write_text(json.dumps(document), encoding="utf-8")
        line = 1

    out = run(path, format=fmt)

    assert f"Ligne {line} : location: L’enregistrement n’a pas de coordonnées" in out
    assert "rejetées : 1" in out


@pytest.mark.django_db
def test_value_mapping_lands_foreign_words_on_our_codes_and_keeps_the_unknown(tmp_path):
    path = tmp_path / "local.csv"
    path.write_text(
        (FIXTURES / "csv-exemple.csv")
        .read_text(encoding="utf-8")
        .replace("Musique", "Musique|Danse")
    )

    out = run(path, mapping=str(FIXTURES / "csv-exemple-mapping.json"), dry_run=True)
    assert "themes : Danse hors de notre vocabulaire, gardé à part" in out
    run(path, mapping=str(FIXTURES / "csv-exemple-mapping.json"))

    bike = imported().get(source_id="loc-1")
    assert bike.themes == ["mobility", "repair_reuse"]
    assert bike.actor_types == ["associative"]
    choir = imported().get(source_id="loc-2")
    assert (choir.themes, choir.raw_values) == (["culture"], {"themes": ["Danse"]})


@pytest.mark.django_db
def test_a_mapping_to_codes_we_do_not_have_is_refused(tmp_path):
    from django.core.management import CommandError

    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"values": {"themes": {"Vélo": "bicycles"}}}))

    with pytest.raises(CommandError, match="bicycles"):
        run(FIXTURES / "csv-exemple.csv", mapping=str(mapping))


@pytest.mark.django_db
def test_pending_sends_imported_records_to_moderation():
    run(FIXTURES / "gogocarto-exemple.json", format="gogocarto", pending=True)

    assert set(imported().values_list("publication_status", flat=True)) == {"pending"}


@pytest.mark.django_db
def test_a_record_near_a_similar_initiative_of_another_source_is_linked_as_a_duplicate(tmp_path):
    run(FIXTURES / "osm-overpass-exemple.geojson", source="osm-first", format="osm")
    original = imported("osm-first").get(source_id="node/900000001")
    near = {
        "type": "Feature",
        "properties": {
            "id": "b1",
            "name": "Boîte à livres de la place",
            "short_description": "Une boîte à livres.",
            "themes": ["culture"],
        },
        "geometry": {"type": "Point", "coordinates": [-0.5752, 44.8411]},  # ~20 m away
    }
    path = tmp_path / "near.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [near]}))

    out = run(path)

    assert "Doublons possibles, envoyés en modération pour fusion : 1" in out
    duplicate = imported().get()
    assert duplicate.duplicate_of == original
    assert duplicate.publication_status == "pending"  # not twice on the map


@pytest.mark.django_db
def test_personal_data_of_the_sources_never_reaches_a_public_output(client):
    for name, fmt, options, _expected in GOOD_FILES:
        run(FIXTURES / name, source=f"pd-{name}", format=fmt, **options)
    initiative = Initiative.objects.filter(source__startswith="pd-").first()
    urls = [
        reverse("opendata:initiatives-geojson"),
        reverse("opendata:initiatives-csv"),
        reverse("api:initiative-list") + "?page_size=1000",
        reverse("initiatives:detail", args=[initiative.pk]),
    ]
    stored = json.dumps(
        list(Initiative.objects.filter(source__startswith="pd-").values()), default=str
    )

    for value in PERSONAL:
        assert value not in stored
    for url in urls:
        content = body(client.get(url)).decode()
        for value in PERSONAL:
            assert value not in content, (url, value)


def test_scrubbing_removes_e_mails_and_phone_numbers_from_free_text():
    from initiatives.importing.convert import scrub

    assert scrub("Écrire à jean.dupont@example.org ou au 06 12 34 56 78.") == (
        "Écrire à […] ou au […].",
        2,
    )
    assert scrub("Ouvert de 9 h à 12 h, 33000 Bordeaux") == (
        "Ouvert de 9 h à 12 h, 33000 Bordeaux",
        0,
    )
