import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import LineString, Polygon, box

from territories.models import Territory

# Two 2 km × 2 km squares in Lambert-93 (EPSG:2154), near Bordeaux.
X, Y = 417_000, 6_422_000
SQUARES = [box(X, Y, X + 2000, Y + 2000), box(X + 2000, Y, X + 4000, Y + 2000)]


def frame(geometries=SQUARES, crs="EPSG:2154", **columns):
    data = {
        "insee": ["T0001", "T0002"][: len(geometries)],
        "nom": ["Alpha", "Bêta"][: len(geometries)],
    }
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=geometries, crs=crs)


def population_csv(tmp_path, rows="T0001,1200\nT0002,800\nT9999,50\n", encoding="utf-8"):
    path = tmp_path / "population.csv"
    path.write_text("code,population\n" + rows, encoding=encoding)
    return str(path)


def run(path, capsys=None, **options):
    defaults = {"level": "commune", "code_field": "insee", "name_field": "nom", "verbosity": 0}
    call_command("import_territories", str(path), **{**defaults, **options})
    return capsys.readouterr().out if capsys else None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filename,driver",
    [("t.geojson", "GeoJSON"), ("t.shp", "ESRI Shapefile"), ("t.gpkg", "GPKG")],
)
def test_it_imports_any_gdal_format_and_reprojects_to_wgs84(tmp_path, filename, driver):
    source = frame().to_crs("EPSG:4326") if driver == "GeoJSON" else frame()
    source.to_file(tmp_path / filename, driver=driver)

    run(tmp_path / filename)

    alpha = Territory.objects.get(level="commune", code="T0001")
    assert alpha.name == "Alpha"
    assert alpha.geometry.srid == 4326
    assert alpha.geometry.geom_type == "MultiPolygon"
    assert -0.7 < alpha.geometry.centroid.x < -0.5 and 44.8 < alpha.geometry.centroid.y < 45.0
    assert alpha.area_km2 == pytest.approx(4.0, abs=1e-3)
    assert Territory.objects.get(level="commune", code="T0002").name == "Bêta"


@pytest.mark.django_db
def test_it_reports_created_then_unchanged_on_a_rerun(tmp_path, capsys):
    frame().to_file(tmp_path / "t.gpkg", driver="GPKG")
    csv = population_csv(tmp_path)
    options = {"population_csv": csv, "population_year": 2023, "verbosity": 1}

    first = run(tmp_path / "t.gpkg", capsys, **options)
    second = run(tmp_path / "t.gpkg", capsys, **options)

    assert "Créés : 2 · mis à jour : 0 · inchangés : 0" in first
    assert "Créés : 0 · mis à jour : 0 · inchangés : 2" in second
    assert "Lignes de population sans géométrie (1): T9999" in second
    alpha = Territory.objects.get(level="commune", code="T0001")
    assert (alpha.population, alpha.population_year) == (1200, 2023)


@pytest.mark.django_db
def test_a_feature_without_population_stays_unknown_and_is_listed(tmp_path, capsys):
    frame().to_file(tmp_path / "t.gpkg", driver="GPKG")

    out = run(
        tmp_path / "t.gpkg",
        capsys,
        population_csv=population_csv(tmp_path, "T0001,5\n"),
        verbosity=1,
    )

    assert "Sans population (1): T0002" in out
    assert Territory.objects.get(level="commune", code="T0002").population is None


@pytest.mark.django_db
def test_an_invalid_polygon_is_repaired_and_reported(tmp_path, capsys):
    bowtie = Polygon([(X, Y), (X + 2000, Y + 2000), (X + 2000, Y), (X, Y + 2000), (X, Y)])
    frame([bowtie, SQUARES[1]]).to_file(tmp_path / "t.gpkg", driver="GPKG")

    out = run(tmp_path / "t.gpkg", capsys, verbosity=1)

    assert "Géométrie réparée (1): T0001" in out
    repaired = Territory.objects.get(level="commune", code="T0001")
    assert repaired.geometry.valid
    assert repaired.area_km2 == pytest.approx(2.0, abs=1e-3)


def assert_stores_nothing(callable_, message):
    before = Territory.objects.count()
    with pytest.raises(CommandError, match=message):
        callable_()
    assert Territory.objects.count() == before


@pytest.mark.django_db
def test_a_feature_that_is_not_a_polygon_is_rejected_by_name_and_nothing_is_stored(tmp_path):
    line = LineString([(X, Y), (X + 10, Y + 10)])
    frame([SQUARES[0], line]).to_file(tmp_path / "t.gpkg", driver="GPKG")

    assert_stores_nothing(
        lambda: run(tmp_path / "t.gpkg"),
        r"L’objet #2 \(insee=T0002\) n’est pas un polygone \(LineString\)",
    )


@pytest.mark.django_db
def test_missing_columns_are_named(tmp_path):
    frame().to_file(tmp_path / "t.gpkg", driver="GPKG")

    assert_stores_nothing(
        lambda: run(tmp_path / "t.gpkg", code_field="code_insee"),
        "Colonne manquante : code_insee. Colonnes du fichier : insee, nom, geometry",
    )


@pytest.mark.django_db
def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')

    assert_stores_nothing(lambda: run(path), "Colonnes manquantes : insee, nom")


@pytest.mark.django_db
def test_a_file_that_is_not_geodata_is_refused(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("this is not json")

    assert_stores_nothing(lambda: run(path), "Impossible de lire .*broken.geojson")


@pytest.mark.django_db
def test_a_population_file_in_the_wrong_encoding_is_refused(tmp_path):
    frame().to_file(tmp_path / "t.gpkg", driver="GPKG")
    csv = population_csv(tmp_path, "T0001,1200\nT0002,800 # Bêta\n", encoding="latin-1")

    assert_stores_nothing(
        lambda: run(tmp_path / "t.gpkg", population_csv=csv),
        "n’est pas un fichier utf-8 valide : indiquez son encodage avec --encoding",
    )


@pytest.mark.django_db
def test_a_file_without_coordinate_system_needs_one(tmp_path):
    frame(crs=None).to_file(tmp_path / "t.shp")

    assert_stores_nothing(
        lambda: run(tmp_path / "t.shp"),
        "Le fichier n’a pas de système de coordonnées : indiquez-en un avec --crs",
    )
    run(tmp_path / "t.shp", crs="EPSG:2154")
    assert Territory.objects.get(level="commune", code="T0001").area_km2 == pytest.approx(
        4.0, abs=1e-3
    )


@pytest.mark.django_db
def test_a_failure_midway_stores_nothing(tmp_path):
    frame(parent=["33", "UNKNOWN"]).to_file(tmp_path / "t.gpkg", driver="GPKG")

    assert_stores_nothing(
        lambda: run(tmp_path / "t.gpkg", parent_level="departement", parent_field="parent"),
        "Code parent inconnu au niveau departement : UNKNOWN",
    )
