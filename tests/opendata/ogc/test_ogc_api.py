import json

import pytest
from django.urls import reverse

from initiatives.models import Initiative

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
ITEMS = reverse("ogc:items", args=["initiatives"])


def _rels(document) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in document["links"] if link["type"] != "text/html"}


@pytest.mark.django_db
def test_the_landing_page_links_to_api_conformance_and_data(client):
    links = _rels(client.get(reverse("ogc:landing")).json())
    assert links["service-desc"] == "http://testserver/ogc/api"
    assert links["conformance"] == "http://testserver/ogc/conformance"
    assert links["data"] == "http://testserver/ogc/collections"


@pytest.mark.django_db
def test_conformance_declares_part_1_and_the_part_3_cql2_classes_implemented(client):
    classes = client.get(reverse("ogc:conformance")).json()["conformsTo"]
    assert [uri.rsplit("/", 1)[1] for uri in classes] == [
        "core",
        "geojson",
        "html",
        "oas30",
        "queryables",
        "filter",
        "features-filter",
        "cql2-text",
        "basic-cql2",
        "advanced-comparison-operators",
        "basic-spatial-functions",
        "basic-spatial-functions-plus",
        "spatial-functions",
        "array-functions",
    ]
    assert CORE in classes
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in classes


@pytest.mark.django_db
def test_the_api_definition_is_openapi_30(client):
    response = client.get(reverse("ogc:openapi"))
    assert response["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert response.json()["openapi"] == "3.0.3"
    assert "/collections/{collectionId}/items" in response.json()["paths"]


@pytest.mark.django_db
def test_the_collections_have_extent_crs84_and_feature_items(client):
    document = client.get(reverse("ogc:collections")).json()
    assert [c["id"] for c in document["collections"]] == ["initiatives", "territories"]
    initiatives = document["collections"][0]
    assert initiatives["itemType"] == "feature"
    assert initiatives["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
    west, south, east, north = initiatives["extent"]["spatial"]["bbox"][0]
    assert -1.3 < west < east < 0.4 and 44.1 < south < north < 45.6
    first, last = initiatives["extent"]["temporal"]["interval"][0]
    assert first < last


@pytest.mark.django_db
def test_items_page_with_counts_and_next_and_prev_links(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(ITEMS + "?limit=5&offset=5")
    assert response["Content-Type"] == "application/geo+json"
    page = response.json()
    assert (page["numberMatched"], page["numberReturned"]) == (523, 5)
    assert [f["id"] for f in page["features"]] == list(
        Initiative.objects.published().order_by("id").values_list("id", flat=True)[5:10]
    )
    links = _rels(page)
    assert (
        links["next"]
        == "http://testserver/ogc/collections/initiatives/items?limit=5&offset=10&f=json"
    )
    assert (
        links["prev"]
        == "http://testserver/ogc/collections/initiatives/items?limit=5&offset=0&f=json"
    )


@pytest.mark.django_db
def test_items_default_to_ten_and_cap_the_limit_at_ten_thousand(client):
    assert client.get(ITEMS).json()["numberReturned"] == 10
    assert client.get(ITEMS + "?limit=20000").json()["numberReturned"] == 523


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?bbox=-0.64,44.81,-0.53,44.87", 87),
        ("?theme=food", 98),
        ("?status=dormant", 40),
        ("?is_synthetic=false", 87),
        ("?territory=33063&theme=third_place", 51),
    ],
)
@pytest.mark.django_db
def test_items_take_bbox_and_property_filters(client, query, expected):
    api = client.get(reverse("api:initiative-list") + query).json()["count"]
    assert client.get(ITEMS + query).json()["numberMatched"] == api == expected


@pytest.mark.django_db
def test_datetime_filters_on_the_start_date(client):
    published = Initiative.objects.published()
    some = published.exclude(start_date=None).order_by("start_date").first().start_date
    on_day = published.filter(start_date=some).count()
    from_day = published.filter(start_date__gte=some).count()
    matched = {
        text: client.get(ITEMS + f"?datetime={text}").json()["numberMatched"]
        for text in (f"{some}", f"{some}T12:00:00Z", f"{some}/..", f"../{some}", f"{some}/{some}")
    }
    assert matched == {
        f"{some}": on_day,
        f"{some}T12:00:00Z": on_day,
        f"{some}/..": from_day,
        f"../{some}": on_day,
        f"{some}/{some}": on_day,
    }


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ("?limit=0", "limit must be an integer of at least 1."),
        ("?offset=-1", "offset must be an integer of at least 0."),
        ("?datetime=../..", "datetime: an interval needs at least one end."),
        ("?colour=blue", "Unknown parameter: colour."),
        ("?bbox=1,2", "bbox: bbox must be four numbers: west,south,east,north."),
    ],
)
@pytest.mark.django_db
def test_bad_item_parameters_are_a_400_exception(client, query, description):
    response = client.get(ITEMS + query)
    assert response.status_code == 400
    assert response.json() == {"code": "InvalidParameterValue", "description": description}


@pytest.mark.django_db
def test_one_item_and_a_missing_one_as_a_json_exception(client):
    initiative = Initiative.objects.published().order_by("id").first()
    feature = client.get(reverse("ogc:item", args=["initiatives", initiative.pk])).json()
    assert (feature["type"], feature["id"]) == ("Feature", initiative.pk)
    assert feature["properties"]["name"] == initiative.name
    missing = client.get(reverse("ogc:item", args=["initiatives", "999999"]))
    assert missing.status_code == 404
    assert missing.json() == {"code": "NotFound", "description": "No such feature."}


@pytest.mark.django_db
def test_territory_items_filter_by_level(client):
    page = client.get(reverse("ogc:items", args=["territories"]) + "?level=epci&limit=100").json()
    assert page["numberMatched"] == 28
    assert {f["properties"]["level"] for f in page["features"]} == {"epci"}


@pytest.mark.django_db
def test_html_is_served_on_f_html_and_to_browsers(client):
    for url in (reverse("ogc:landing"), reverse("ogc:collections"), ITEMS):
        response = client.get(url + "?f=html")
        assert response["Content-Type"] == "text/html; charset=utf-8", url
    browser = client.get(ITEMS, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser["Content-Type"] == "text/html; charset=utf-8"
    gdal = client.get(ITEMS, headers={"Accept": "application/geo+json, application/json"})
    assert gdal["Content-Type"] == "application/geo+json"


@pytest.mark.django_db
def test_queryables_list_the_feature_properties(client):
    response = client.get(reverse("ogc:queryables", args=["initiatives"]))
    properties = json.loads(response.content)["properties"]
    assert {"themes", "activity_status", "territory", "is_synthetic"} <= set(properties)
