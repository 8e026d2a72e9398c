"""OGC API - Features Part 3: ?filter= in CQL2 text on the items of both collections.

Each expected count is computed through the ORM on the demo, so the test states what the
operator means rather than a number copied from a run.
"""

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.db.models import Q
from django.urls import reverse

from initiatives.models import Initiative
from opendata.ogc.cql2 import filter_q
from opendata.ogc.queryables import INITIATIVE_QUERYABLES
from territories.models import Territory

INITIATIVES = reverse("ogc:items", args=["initiatives"])
TERRITORIES = reverse("ogc:items", args=["territories"])
BORDEAUX_BOX = (-0.64, 44.81, -0.53, 44.87)
BORDEAUX_WKT = "POLYGON((-0.64 44.81, -0.53 44.81, -0.53 44.87, -0.64 44.87, -0.64 44.81))"


def _matched(client, url, cql, **more) -> int:
    response = client.get(url, {"filter": cql, **more})
    assert response.status_code == 200, response.content
    return response.json()["numberMatched"]


def _box():
    box = Polygon.from_bbox(BORDEAUX_BOX)
    box.srid = 4326
    return box


INITIATIVE_CASES = [
    ("activity_status = 'dormant'", Q(activity_status="dormant")),
    ("activity_status <> 'active'", ~Q(activity_status="active")),
    ("'dormant' = activity_status", Q(activity_status="dormant")),
    ("id < 200", Q(id__lt=200)),
    ("id >= 200", Q(id__gte=200)),
    ("is_synthetic = FALSE", Q(is_synthetic=False)),
    ("start_date < DATE('2019-01-01')", Q(start_date__lt=date(2019, 1, 1))),
    ("start_date <= DATE('2019-01-01')", Q(start_date__lte=date(2019, 1, 1))),
    ("start_date > DATE('2019-01-01')", Q(start_date__gt=date(2019, 1, 1))),
    (
        "last_confirmed_at >= TIMESTAMP('2025-06-13T12:00:00Z')",
        Q(last_confirmed_at__gte=datetime(2025, 6, 13, 12, tzinfo=UTC)),
    ),
    ("start_date IS NULL", Q(start_date=None)),
    ("start_date IS NOT NULL", Q(start_date__isnull=False)),
    ("name LIKE 'AMAP%'", Q(name__startswith="AMAP")),
    ("name LIKE '%Bordeaux'", Q(name__endswith="Bordeaux")),
    ("name LIKE 'AMAP — Le B_r_'", Q(name__in=["AMAP — Le Barp"])),
    ("name NOT LIKE 'AMAP%'", ~Q(name__startswith="AMAP")),
    ("activity_status IN ('dormant', 'ended')", Q(activity_status__in=["dormant", "ended"])),
    ("activity_status NOT IN ('dormant', 'ended')", Q(activity_status="active")),
    (
        "start_date BETWEEN DATE('2018-01-01') AND DATE('2020-12-31')",
        Q(start_date__range=(date(2018, 1, 1), date(2020, 12, 31))),
    ),
    ("id BETWEEN 100 AND 300", Q(id__range=(100, 300))),
    ("territory = '33063'", Q(territory__code="33063")),
    ("A_CONTAINS(themes, ('food'))", Q(themes__contains=["food"])),
    ("A_CONTAINS(themes, ('food', 'culture'))", Q(themes__contains=["food", "culture"])),
    ("A_OVERLAPS(themes, ('food', 'housing'))", Q(themes__overlap=["food", "housing"])),
    ("A_CONTAINEDBY(themes, ('food', 'culture'))", Q(themes__contained_by=["food", "culture"])),
    ("A_EQUALS(themes, ('food'))", Q(themes=["food"])),
    ("S_INTERSECTS(geometry, BBOX(-0.64, 44.81, -0.53, 44.87))", Q(location__intersects=_box())),
    (f"S_INTERSECTS(geometry, {BORDEAUX_WKT})", Q(location__intersects=_box())),
    (f"S_WITHIN(geometry, {BORDEAUX_WKT})", Q(location__within=_box())),
    (f"S_DISJOINT(geometry, {BORDEAUX_WKT})", Q(location__disjoint=_box())),
    (
        "NOT (activity_status = 'active') AND start_date >= DATE('2020-01-01')",
        ~Q(activity_status="active") & Q(start_date__gte=date(2020, 1, 1)),
    ),
    (
        "(is_synthetic = true OR activity_status = 'ended') AND NOT territory = '33063'",
        (Q(is_synthetic=True) | Q(activity_status="ended")) & ~Q(territory__code="33063"),
    ),
    ("TRUE", Q()),
    ("activity_status = 'dormant' and A_CONTAINS(themes, ('food'))", None),
]


@pytest.mark.parametrize(("cql", "expected"), INITIATIVE_CASES)
@pytest.mark.django_db
def test_each_operator_keeps_the_initiatives_the_orm_keeps(client, cql, expected):
    if expected is None:  # lower-case keywords
        expected = Q(activity_status="dormant", themes__contains=["food"])
    published = Initiative.objects.published()
    count = published.filter(expected).count()
    assert 0 < count < published.count() or cql == "TRUE"
    assert _matched(client, INITIATIVES, cql) == count


@pytest.mark.django_db
def test_a_point_intersects_the_initiatives_standing_on_it(client):
    initiative = Initiative.objects.published().order_by("id").first()
    lon, lat = initiative.location.coords
    expected = Initiative.objects.published().filter(location=initiative.location).count()
    assert _matched(client, INITIATIVES, f"S_INTERSECTS(geometry, POINT({lon} {lat}))") == expected
    assert expected >= 1


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("level = 'epci'", Q(level="epci")),
        ("population > 10000", Q(population__gt=10000)),
        ("area_km2 < 10.5", Q(area_km2__lt=10.5)),
        ("name LIKE 'Saint-%'", Q(name__startswith="Saint-")),
        ("parent IS NULL", Q(parent=None)),
        ("level = 'commune' AND population BETWEEN 1000 AND 5000", None),
    ],
)
@pytest.mark.django_db
def test_territories_are_filtered_too(client, cql, expected):
    if expected is None:
        expected = Q(level="commune", population__range=(1000, 5000))
    count = Territory.objects.filter(expected).count()
    assert count > 0
    assert _matched(client, TERRITORIES, cql) == count


@pytest.mark.django_db
def test_the_territories_containing_a_point_are_its_commune_epci_and_departement(client):
    bordeaux = Point(-0.5792, 44.8378, srid=4326)
    levels = set(Territory.objects.filter(geometry__intersects=bordeaux).values_list("level"))
    assert {level for (level,) in levels} >= {"commune", "epci"}
    cql = "S_INTERSECTS(geometry, POINT(-0.5792 44.8378))"
    page = client.get(TERRITORIES, {"filter": cql}).json()
    assert page["numberMatched"] == len(levels) == page["numberReturned"]


@pytest.mark.django_db
def test_the_filter_combines_by_and_with_bbox_datetime_and_property_filters(client):
    published = Initiative.objects.published()
    expected = published.filter(
        location__intersects=_box(),
        themes__overlap=["food"],
        start_date__gte=date(2018, 1, 1),
        activity_status="active",
    ).count()
    bbox = ",".join(str(value) for value in BORDEAUX_BOX)
    more = {"bbox": bbox, "theme": "food", "datetime": "2018-01-01/.."}
    assert 0 < expected < published.filter(activity_status="active").count()
    assert _matched(client, INITIATIVES, "activity_status = 'active'", **more) == expected


@pytest.mark.django_db
def test_the_next_link_carries_the_filter(client):
    cql = "A_CONTAINS(themes, ('food'))"
    page = client.get(INITIATIVES, {"filter": cql, "filter-lang": "cql2-text", "limit": 10}).json()
    assert page["numberMatched"] == 98
    following = next(link["href"] for link in page["links"] if link["rel"] == "next")
    query = parse_qs(urlsplit(following).query)
    assert query["filter"] == [cql]
    assert query["offset"] == ["10"]
    second = client.get(following).json()
    assert second["numberMatched"] == 98
    assert second["features"][0]["id"] not in {f["id"] for f in page["features"]}


@pytest.mark.parametrize(
    ("cql", "description"),
    [
        ("contact_email = 'x'", "filter: unknown property “contact_email” (character 1)."),
        (
            "private_token_hash IS NULL",
            "filter: unknown property “private_token_hash” (character 1).",
        ),
        (
            "name = 'x' OR moderation_reason LIKE '%'",
            "filter: unknown property “moderation_reason” (character 15).",
        ),
        ("\"contact_email\" = 'x'", "filter: unknown property “contact_email” (character 1)."),
        (
            "activity_status = ",
            "filter: expected a value at character 19, found the end.",
        ),
        (
            "(activity_status = 'active'",
            "filter: expected ) at character 28, found the end.",
        ),
        (
            "activity_status = 'active' status",
            "filter: expected AND, OR or the end of the filter at character 28, found status.",
        ),
        ("name = 'x' ; drop", "filter: unexpected character ';' at character 12."),
        (
            "start_date > '2020-01-01'",
            "filter: “start_date” is a date: compare it with a value such as "
            "DATE('2024-01-31') (character 14).",
        ),
        (
            "is_synthetic = 'yes'",
            "filter: “is_synthetic” is a boolean: compare it with a value such as TRUE "
            "(character 16).",
        ),
        (
            "themes = 'food'",
            "filter: “themes” is a list: use A_CONTAINS(themes, ('…')) or A_OVERLAPS "
            "(character 1).",
        ),
        (
            "start_date = DATE('2020-13-01')",
            "filter: invalid DATE, write DATE('2024-01-31') (character 19).",
        ),
        ("name = description", "filter: comparing two properties is not supported (character 8)."),
        ("UPPER(name) = 'X'", "filter: unknown function “UPPER” (character 1)."),
        (
            "S_INTERSECTS(geometry, BBOX(1, 2, 3))",
            "filter: BBOX takes 4 or 6 numbers (character 24).",
        ),
        (
            "S_INTERSECTS(name, BBOX(1, 2, 3, 4))",
            "filter: expected a geometry property, BBOX(…) or a WKT geometry (character 14).",
        ),
        ("", "filter: the expression is empty."),
    ],
)
@pytest.mark.django_db
def test_a_bad_filter_is_a_400_naming_the_property_or_position(client, cql, description):
    response = client.get(INITIATIVES, {"filter": cql})
    assert response.status_code == 400
    assert response.json() == {"code": "InvalidParameterValue", "description": description}


@pytest.mark.parametrize(
    ("more", "description"),
    [
        ({"filter-lang": "cql2-json"}, "filter-lang must be cql2-text."),
        (
            {"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/2154"},
            "filter-crs must be http://www.opengis.net/def/crs/OGC/1.3/CRS84.",
        ),
    ],
)
@pytest.mark.django_db
def test_only_cql2_text_in_crs84_is_understood(client, more, description):
    response = client.get(INITIATIVES, {"filter": "id = 1", **more})
    assert response.status_code == 400
    assert response.json()["description"] == description


@pytest.mark.parametrize("cql", ["NOT " * 2000 + "id = 1", "(" * 100 + "id = 1" + ")" * 100])
@pytest.mark.django_db
def test_a_deeply_nested_filter_is_a_400_not_a_crash(client, cql):
    response = client.get(INITIATIVES, {"filter": cql})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["description"]


@pytest.mark.django_db
def test_a_filtered_page_costs_two_queries_and_renders_as_html(
    client, django_assert_max_num_queries
):
    cql = "A_OVERLAPS(themes, ('food')) AND territory = '33063'"
    with django_assert_max_num_queries(2):
        page = client.get(INITIATIVES, {"filter": cql, "limit": 5}).json()
    expected = Initiative.objects.published().filter(
        themes__overlap=["food"], territory__code="33063"
    )
    assert page["numberMatched"] == expected.count() > 5
    assert [f["id"] for f in page["features"]] == list(
        expected.order_by("id").values_list("id", flat=True)[:5]
    )
    html = client.get(INITIATIVES, {"filter": cql, "f": "html"})
    assert html.status_code == 200
    assert html["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.django_db
def test_queryables_are_a_json_schema_of_the_public_properties(client):
    response = client.get(reverse("ogc:queryables", args=["initiatives"]))
    assert response["Content-Type"] == "application/schema+json"
    schema = response.json()
    properties = schema["properties"]
    assert schema["additionalProperties"] is False
    assert properties["geometry"] == {
        "title": "Location",
        "format": "geometry-point",
        "x-ogc-role": "primary-geometry",
    }
    assert properties["id"]["x-ogc-role"] == "id"
    assert properties["start_date"] == {
        "title": "When it started: YYYY-MM-DD, or YYYY-MM or YYYY when only that much is known.",
        "type": "string",
        "format": "date",
        "x-ogc-role": "primary-instant",
    }
    assert properties["themes"]["type"] == "array"
    assert "food" in properties["themes"]["items"]["enum"]
    assert properties["is_synthetic"]["type"] == "boolean"
    assert properties["activity_status"]["enum"] == ["active", "dormant", "ended"]
    private = {"contact_email", "private_token_hash", "moderation_reason", "reminder_sent_at"}
    assert not private & set(properties)
    assert not {"publication_status", "merged_into"} & set(properties)


@pytest.mark.django_db
def test_territory_queryables_name_the_feature_properties(client):
    schema = client.get(reverse("ogc:queryables", args=["territories"])).json()
    assert list(schema["properties"]) == [
        "code",
        "geometry",
        "name",
        "level",
        "parent",
        "population",
        "population_year",
        "population_source",
        "area_km2",
    ]
    assert schema["properties"]["code"]["x-ogc-role"] == "id"
    assert schema["properties"]["geometry"]["format"] == "geometry-multipolygon"


@pytest.mark.django_db
def test_the_openapi_document_describes_filter_and_filter_lang(client):
    paths = client.get(reverse("ogc:openapi")).json()["paths"]
    parameters = {
        p["name"]: p for p in paths["/collections/{collectionId}/items"]["get"]["parameters"]
    }
    assert parameters["filter-lang"]["schema"]["enum"] == ["cql2-text"]
    assert parameters["filter-crs"]["schema"]["enum"] == [
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    ]
    assert "S_INTERSECTS" in parameters["filter"]["description"]


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("DATE('2020-01-01') < start_date", Q(start_date__gt=date(2020, 1, 1))),
        ("name like 'a\\%b'", Q(name__regex="^a%b$")),
        ("name LIKE 'x.y_'", Q(name__regex="^x\\.y.$")),
        ("A_CONTAINS(themes, ['food'])", Q(themes__contains=["food"])),
        ("S_CONTAINS(POINT(1 2), geometry)", Q(location__within=Point(1, 2, srid=4326))),
        ("\"activity_status\" = 'ended'", Q(activity_status__exact="ended")),
        ("id = -3", Q(id__exact=-3)),
    ],
)
def test_the_less_common_forms_parse_to_the_expected_lookups(cql, expected):
    assert filter_q(cql, INITIATIVE_QUERYABLES) == expected
