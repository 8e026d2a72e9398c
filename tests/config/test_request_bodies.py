"""Request bodies the app cannot read are refused cleanly: chunked bodies (411), bodies over
MAX_REQUEST_BYTES (413), JSON nested too deeply (400)."""

import json

import pytest

from initiatives.models import Initiative
from tests.factories import BORDEAUX

pytestmark = pytest.mark.django_db
API = "/api/v1/submissions/"
FORM = "/contribuer/"


def submission(**overrides) -> dict:
    data = {
        "name": "Atelier vélo solidaire",
        "short_description": "On répare son vélo avec des bénévoles.",
        "themes": ["mobility"],
        "location": {"type": "Point", "coordinates": list(BORDEAUX)},
        "contact_email": "cyclist@example.net",
    }
    return data | overrides


def test_a_chunked_api_body_is_refused_with_411_and_stores_nothing(client):
    before = Initiative.objects.count()
    response = client.generic(
        "POST", API, b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert response.status_code == 411
    assert "Content-Length" in response.json()["detail"]
    assert Initiative.objects.count() == before


def test_a_chunked_form_body_gets_a_411_page(client):
    response = client.generic(
        "POST",
        FORM,
        b"",
        content_type="application/x-www-form-urlencoded",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert response.status_code == 411
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Length" in response.content.decode()


def test_a_1_mb_form_body_is_refused_with_413_like_the_api(client):
    before = Initiative.objects.count()
    form = client.post(FORM, {"name": "x" * 1_000_000, "contact_email": "a@example.net"})
    api = client.post(API, json.dumps(submission(name="x" * 1_000_000)), "application/json")

    assert (form.status_code, api.status_code) == (413, 413)
    assert "La requête est trop volumineuse" in form.content.decode()
    assert api.json()["detail"].startswith("La requête est trop volumineuse")
    assert Initiative.objects.count() == before


def test_a_body_just_under_the_limit_is_read(client, settings):
    body = json.dumps(submission(description="x" * 9_000))
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    assert client.post(API, body, "application/json").status_code == 201


def test_json_nested_10000_levels_deep_is_a_translated_400(client):
    before = Initiative.objects.count()
    body = '{"name": ' + "[" * 10_000 + "]" * 10_000 + "}"

    response = client.post(API, body, "application/json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body is nested too deeply (32 levels at most)."}
    assert Initiative.objects.count() == before


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    body = json.dumps(submission(description="[" * 100 + "{" * 100))

    assert client.post(API, body, "application/json").status_code == 201


def test_invalid_json_is_a_translated_400(client):
    response = client.post(API, '{"name": ', "application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Le corps de la requête n’est pas du JSON valide")


def test_the_refusals_are_in_the_readers_language(client):
    """They come before LocaleMiddleware has chosen the language: they choose it themselves."""
    page = client.post(FORM, {"name": "x" * 1_000_000}, HTTP_ACCEPT_LANGUAGE="en")
    api = client.generic(
        "POST", API, b"", HTTP_TRANSFER_ENCODING="chunked", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "The request is too large: nothing was stored." in page.content.decode()
    assert '<html lang="en">' in page.content.decode()
    assert api.json()["detail"].startswith("Send the request with a Content-Length header")
