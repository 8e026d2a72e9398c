"""The rules the OpenAPI document states, checked one by one (schemathesis checks them in
bulk in test_schema_contract.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from radar.api.serializers import TREND_PATTERNS

pytestmark = pytest.mark.django_db

INITIATIVES = "/api/v1/initiatives/"
EMPTY = ["This parameter is empty: give a value, or leave it out."]
ONCE = ["Give this parameter only once."]
PAGE_SIZE = ["Give a whole number from 1 to 1000."]
BBOX = ["bbox must be west,south,east,north in degrees, west < east and south < north."]


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/schema/?format=json").json()


@pytest.mark.parametrize(
    ("url", "errors"),
    [
        (INITIATIVES + "?q=", {"q": EMPTY}),
        (INITIATIVES + "?theme=food&theme=", {"theme": EMPTY}),
        ("/api/v1/territories/?level=commune&level=epci", {"level": ONCE}),
        ("/api/v1/radar/gaps/?level=", {"level": EMPTY}),
        ("/api/v1/radar/signals/?territory=33063&territory=33", {"territory": ONCE}),
        ("/api/v1/radar/trends/?level=epci&level=commune", {"level": ONCE}),
        (INITIATIVES + "?page_size=0", {"page_size": PAGE_SIZE}),
        (INITIATIVES + "?page_size=1001", {"page_size": PAGE_SIZE}),
        (INITIATIVES + "?is_synthetic=maybe", {"is_synthetic": ["Give true or false."]}),
        (INITIATIVES + "?bbox=1e400,1,2,3", {"bbox": BBOX}),
        (INITIATIVES + "?bbox=3,1,2,4", {"bbox": BBOX}),
    ],
)  # fmt: skip
def test_empty_repeated_or_out_of_range_parameters_are_refused_by_name(client, url, errors):
    response = client.get(url)

    assert response.status_code == 400
    assert response.json() == errors


def test_a_list_parameter_may_be_repeated(client):
    one = client.get(INITIATIVES, {"theme": "food", "page_size": 1000}).json()["count"]
    both = client.get(INITIATIVES, {"theme": ["food", "housing"], "page_size": 1000}).json()

    assert both["count"] > one


def test_the_refusals_are_translated():
    french = Client(headers={"Accept-Language": "fr"}).get(INITIATIVES + "?page=1&page=2")

    assert french.json() == {"page": ["Donnez ce paramètre une seule fois."]}


def test_an_unknown_api_address_answers_json(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_past_the_last_answers_404(client):
    assert client.get(INITIATIVES + "?page=99").status_code == 404


def test_the_document_says_the_geojson_shape_of_the_lists(document):
    paged = document["components"]["schemas"]["PaginatedInitiativeList"]["allOf"]

    assert paged[0] == {"$ref": "#/components/schemas/InitiativeList"}
    assert set(paged[1]["required"]) == {
        "type",
        "count",
        "count_estimated",
        "next",
        "previous",
        "features",
    }
    assert "results" not in str(paged)
    listed = document["components"]["schemas"]["InitiativeList"]["properties"]
    assert listed["features"]["items"] == {"$ref": "#/components/schemas/Initiative"}


def test_the_document_lists_every_answer_of_the_radar_endpoints(document):
    for name in ("gaps", "emerging", "signals", "trends", "insights"):
        get = document["paths"][f"/api/v1/radar/{name}/"]["get"]
        assert {"200", "202"} <= set(get["responses"]), name
        assert "Retry-After" in get["responses"]["202"]["headers"], name
        assert get["responses"]["200"]["content"]["application/json"]["schema"] != {}, name
    assert "404" in document["paths"]["/api/v1/radar/signals/"]["get"]["responses"]


def test_the_document_states_the_submission_rules(document):
    body = document["components"]["schemas"]["SubmissionInput"]["properties"]

    assert body["name"]["maxLength"] == 200
    assert body["name"]["pattern"] == r"\S"
    assert body["themes"]["minItems"] == 1
    assert body["themes"]["uniqueItems"] is True
    assert (
        "inside the territory the instance serves"
        in (document["components"]["schemas"]["SubmissionInput"]["description"])
    )
    responses = document["paths"]["/api/v1/submissions/"]["post"]["responses"]
    assert {"201", "400", "413", "415", "429"} <= set(responses)
    assert "Retry-After" in responses["429"]["headers"]


def test_the_trend_patterns_of_the_document_are_those_of_the_analysis():
    from radar.reports.trends import PATTERN_LABELS

    assert set(TREND_PATTERNS) == set(PATTERN_LABELS)


def test_the_radar_answers_go_through_their_serializers(client):
    gaps = client.get(reverse("api:radar-gaps"), {"level": "epci"}).json()

    feature = gaps["features"][0]
    assert list(feature) == ["type", "id", "geometry", "properties"]
    assert feature["properties"]["cluster"] in {"high", "low", "not_significant"}
    assert gaps["parameters"]["level"] == "epci"


def _keys(value, path=""):
    """Every member path of a JSON value (lists: their first item)."""
    if isinstance(value, dict):
        found = set()
        for key, inner in value.items():
            found |= {f"{path}/{key}"} | _keys(inner, f"{path}/{key}")
        return found
    if isinstance(value, list) and value:
        return _keys(value[0], path + "[]")
    return set()


def test_the_serializers_drop_nothing_the_reports_give(client):
    """The answers are the reports' own dicts through the serializers: nothing is lost."""
    from radar.reports.emerging import EmergingParams, emerging_features
    from radar.reports.gaps import GapParams, gap_features
    from radar.reports.insights import workshop_insights
    from radar.reports.signals import territory_signals
    from radar.reports.trends import TrendParams, trend_features
    from territories.selectors import territory_by_code

    answers = {
        "gaps": (gap_features(GapParams(level="epci"))[0], "?level=epci"),
        "trends": (trend_features(TrendParams(level="epci"))[0], "?level=epci"),
        "emerging": (emerging_features(EmergingParams())[0], ""),
    }
    for name, (features, query) in answers.items():
        served = client.get(f"/api/v1/radar/{name}/{query}").json()["features"]
        assert _keys(features) == _keys(served), name
    signals = territory_signals(territory=territory_by_code(code="33063"))
    served = client.get("/api/v1/radar/signals/?territory=33063").json()
    assert _keys(signals) == _keys(served)
    assert _keys(workshop_insights()) == _keys(client.get("/api/v1/radar/insights/").json())
