import json

import pytest
from django.test import override_settings
from django.urls import reverse

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative
from initiatives.services import initiative_approve
from tests.factories import BORDEAUX, OUTSIDE

pytestmark = pytest.mark.django_db
URL = "/api/v1/submissions/"


def body(**overrides) -> dict:
    data = {
        "name": "Atelier vélo solidaire",
        "short_description": "On répare son vélo avec des bénévoles.",
        "themes": ["mobility", "repair_reuse"],
        "location": {"type": "Point", "coordinates": list(BORDEAUX)},
        "contact_email": "cyclist@example.net",
    }
    data.update(overrides)
    return data


def post(client, data, **headers):
    return client.post(URL, json.dumps(data), content_type="application/json", **headers)


def test_the_url_is_named_in_the_api_namespace():
    assert reverse("api:submission-create") == URL


def test_it_creates_a_pending_initiative_and_returns_the_private_link(client, mailoutbox):
    response = post(client, body())
    assert response.status_code == 201
    payload = response.json()
    stored = Initiative.objects.get(pk=payload["id"])
    assert payload["publication_status"] == "pending"
    assert stored.publication_status == PublicationStatus.PENDING
    assert payload["private_link"].startswith("http://")
    assert "/mon-initiative/" in payload["private_link"]
    assert response["Cache-Control"] == "no-store"


def test_it_accepts_lon_and_lat(client):
    data = body(lon=BORDEAUX[0], lat=BORDEAUX[1])
    del data["location"]
    response = post(client, data)
    assert response.status_code == 201
    assert Initiative.objects.get(pk=response.json()["id"]).location.coords == BORDEAUX


def test_a_submission_stays_out_of_every_public_output_until_approved(client):
    data = body(name="Initiative secrète en attente")
    pk = post(client, data).json()["id"]
    listing = client.get("/api/v1/initiatives/", {"page_size": 1000}).content.decode()
    assert "Initiative secrète en attente" not in listing
    assert client.get(f"/api/v1/initiatives/{pk}/").status_code == 404
    assert "Initiative secrète en attente" not in client.get("/").content.decode()
    assert client.get(reverse("initiatives:detail", args=[pk])).status_code == 404


def test_after_approval_it_is_public_without_its_email(client):
    pk = post(client, body(name="Fablab approuvé")).json()["id"]
    initiative_approve(initiative=Initiative.objects.get(pk=pk), moderator=None)
    detail = client.get(f"/api/v1/initiatives/{pk}/")
    assert detail.status_code == 200
    assert detail.json()["properties"]["name"] == "Fablab approuvé"
    assert "cyclist@example.net" not in detail.content.decode()
    assert "contact_email" not in detail.json()["properties"]
    assert "private_token_hash" not in detail.json()["properties"]
    page = client.get(reverse("initiatives:detail", args=[pk])).content.decode()
    assert "Fablab approuvé" in page
    assert "cyclist@example.net" not in page


BAD_BODIES = [
    ("outside the territory", {"location": {"type": "Point", "coordinates": list(OUTSIDE)}}),
    ("longitude out of range", {"location": {"type": "Point", "coordinates": [200, 44.8]}}),
    ("latitude out of range", {"location": {"type": "Point", "coordinates": [-0.57, 95]}}),
    ("NaN as a string", {"location": {"type": "Point", "coordinates": ["NaN", 44.8]}}),
    ("infinity", {"location": {"type": "Point", "coordinates": ["Infinity", 44.8]}}),
    (
        "a LineString",
        {"location": {"type": "LineString", "coordinates": [[-0.57, 44.8], [-0.58, 44.9]]}},
    ),
    ("three coordinates", {"location": {"type": "Point", "coordinates": [-0.57, 44.8, 3]}}),
    ("no place", {"location": None}),
    ("no theme", {"themes": []}),
    ("unknown theme", {"themes": ["<script>"]}),
    ("bad e-mail", {"contact_email": "nobody"}),
    ("javascript link", {"website": "javascript:alert(1)"}),
    ("data link", {"website": "data:text/html,<script>alert(1)</script>"}),
    ("name too long", {"name": "x" * 201}),
    ("missing name", {"name": ""}),
    ("future start", {"start_date": "2999-01-01"}),
]


@pytest.mark.parametrize(("case", "overrides"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_it_refuses_bad_bodies_field_by_field_and_stores_nothing(client, case, overrides):
    data = body(**overrides)
    if data.get("location") is None:
        del data["location"]
    before = Initiative.objects.count()
    response = post(client, data)
    assert response.status_code == 400
    fields = set(response.json())
    assert fields & {"location", "themes", "contact_email", "website", "name", "start_date"}
    assert Initiative.objects.count() == before


def test_it_refuses_a_literal_nan_in_json(client):
    before = Initiative.objects.count()
    raw = json.dumps(body()).replace(json.dumps(BORDEAUX[0]), "NaN", 1)
    response = client.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert Initiative.objects.count() == before


def test_its_errors_are_in_the_requested_language(client):
    response = post(
        client,
        body(location={"type": "Point", "coordinates": list(OUTSIDE)}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json() == {
        "location": ["This place is outside the territory served by the radar."]
    }


def test_it_refuses_a_1_mb_name_and_stores_nothing(client):
    before = Initiative.objects.count()
    response = post(client, body(name="x" * 1_000_000))
    assert response.status_code == 413
    assert Initiative.objects.count() == before


def test_it_refuses_a_form_encoded_body_with_415(client):
    before = Initiative.objects.count()
    response = client.post(URL, {"name": "x"})
    assert response.status_code == 415
    assert Initiative.objects.count() == before


def test_it_stores_html_and_sql_as_inert_text(client):
    name = "<script>alert('x')</script>'; DROP TABLE initiatives_initiative;--"
    response = post(client, body(name=name, description="<img src=x onerror=alert(1)>"))
    assert response.status_code == 201
    stored = Initiative.objects.get(pk=response.json()["id"])
    assert stored.name == name


@override_settings(SUBMISSION_RATE_LIMIT="2/hour")
def test_it_answers_429_past_the_rate_limit(client):
    assert post(client, body(name="Un")).status_code == 201
    assert post(client, body(name="Deux")).status_code == 201
    before = Initiative.objects.count()
    response = post(client, body(name="Trois"))
    assert response.status_code == 429
    assert Initiative.objects.count() == before


def test_it_is_documented_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    assert schema.status_code == 200
    assert "/api/v1/submissions/" in text
    assert "submission_create" in text
