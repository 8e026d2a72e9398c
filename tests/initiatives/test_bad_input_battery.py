"""A battery of bad inputs against the submission API, the contribution form and its edit
form: never a 500, always a message on the field at fault, nothing stored."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initiatives.models import Initiative
from initiatives.records import parse_point
from initiatives.services import initiative_submit
from tests.factories import BORDEAUX

pytestmark = pytest.mark.django_db
API = "/api/v1/submissions/"
FORM = "/contribuer/"

ONE_LINE_FIELDS = ["name", "short_description", "address", "contact_email", "website"]
# Line breaks of every kind, tabs and other control characters, C0 and C1.
BREAKING = ["\n", "\r", "\r\n", "\t", "\x0b", "\x0c", "\x00", "\x07", "\x1b", "\x7f", "\x85"]
BREAKING += ["\u2028", "\u2029"]
# Multi-line fields keep line breaks and tabs, but no other control character.
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\x9b"]

VALID = {
    "name": "Atelier vélo",
    "short_description": "On répare son vélo.",
    "address": "12 rue du Port, Bordeaux",
    "contact_email": "cyclist@example.net",
    "website": "https://example.net/atelier",
}


def api_body(**overrides) -> dict:
    body = {
        **VALID,
        "themes": ["mobility"],
        "location": {"type": "Point", "coordinates": list(BORDEAUX)},
    }
    return body | overrides


def form_body(**overrides) -> dict:
    body = {**VALID, "themes": ["mobility"], "lon": str(BORDEAUX[0]), "lat": str(BORDEAUX[1])}
    return body | overrides


def broken(value: str, char: str) -> str:
    middle = len(value) // 2
    return value[:middle] + char + value[middle:]


def post_api(client, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(API, data, content_type="application/json")


def assert_api_refuses(client, body, field):
    before = Initiative.objects.count()
    response = post_api(client, body)
    assert response.status_code == 400, (field, response.status_code)
    errors = response.json()
    assert field in errors, (field, errors)
    assert all(isinstance(m, str) and m for m in _messages(errors[field]))
    assert Initiative.objects.count() == before


def _messages(errors):
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    return [m for value in errors for m in _messages(value)]


def assert_form_refuses(client, url, data, field):
    before = Initiative.objects.count()
    response = client.post(url, data)
    assert response.status_code == 400, (field, response.status_code)
    assert response.context["form"].errors.get(field), (field, response.context["form"].errors)
    assert Initiative.objects.count() == before


@pytest.mark.parametrize("char", BREAKING, ids=repr)
@pytest.mark.parametrize("field", ONE_LINE_FIELDS)
def test_the_api_refuses_line_breaks_in_one_line_fields(client, field, char):
    assert_api_refuses(client, api_body(**{field: broken(VALID[field], char)}), field)


@pytest.mark.parametrize("char", BREAKING, ids=repr)
@pytest.mark.parametrize("field", ONE_LINE_FIELDS)
def test_the_form_refuses_line_breaks_in_one_line_fields(client, field, char):
    assert_form_refuses(client, FORM, form_body(**{field: broken(VALID[field], char)}), field)


def test_the_message_says_what_to_do(client):
    response = post_api(client, api_body(name="Atelier\nvélo"))
    page = client.post(FORM, form_body(name="Atelier\nvélo"), HTTP_ACCEPT_LANGUAGE="en")

    message = (
        "Écrivez ce texte sur une seule ligne, sans retour à la ligne ni caractère de contrôle."
    )
    assert response.json() == {"name": [message]}
    assert page.context["form"].errors["name"] == [
        "Write this on one line, without line breaks or control characters."
    ]


@pytest.mark.parametrize("char", CONTROL, ids=repr)
def test_control_characters_are_refused_in_the_description(client, char):
    text = broken("Une longue description.\nSur deux lignes.", char)
    assert_api_refuses(client, api_body(description=text), "description")
    assert_form_refuses(client, FORM, form_body(description=text), "description")


def test_line_breaks_and_tabs_stay_allowed_in_the_description(client):
    text = "Première ligne.\r\n\tDeuxième ligne.\nTroisième."
    assert post_api(client, api_body(description=text)).status_code == 201


@pytest.mark.parametrize("char", ["\n", "\x00", "\u2028"], ids=repr)
@pytest.mark.parametrize("field", ["commune", "lon", "lat"])
def test_the_form_refuses_control_characters_in_the_place(client, field, char):
    data = form_body(**{field: broken("Talence" if field == "commune" else "-0.57", char)})
    if field == "commune":
        data.pop("lon"), data.pop("lat")
    assert_form_refuses(client, FORM, data, field)


# Numbers are read as text by text fields (a name "1" is a name): wrong for the others only.
WRONG_TYPES = [True, None, [], ["a", "b"], {}, {"a": 1}, [[[["x"]]]], "", " " * 5]
NUMBERS = [1, 1.5, -1e308]
CASES = [(field, value) for field in ("name", "short_description") for value in WRONG_TYPES]
CASES += [(f, v) for f in ("contact_email", "themes", "location") for v in WRONG_TYPES + NUMBERS]


@pytest.mark.parametrize(("field", "value"), CASES, ids=repr)
def test_the_api_refuses_values_of_the_wrong_type(client, field, value):
    assert_api_refuses(client, api_body(**{field: value}), field)


BAD_PLACES = [
    {"type": "Point", "coordinates": [1e308, 1e308]},
    {"type": "Point", "coordinates": ["x", "y"]},
    {"type": "Point", "coordinates": [1]},
    {"type": "Point", "coordinates": [1, 2, 3, 4]},
    {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
    {"type": "Point"},
    {"coordinates": list(BORDEAUX)},
    {"type": "Point", "coordinates": [200, 100]},
    {"type": "Point", "coordinates": [2.35, 48.85]},  # Paris: outside the served territory
]


@pytest.mark.parametrize("place", BAD_PLACES, ids=repr)
def test_the_api_refuses_bad_places(client, place):
    assert_api_refuses(client, api_body(location=place), "location")


@pytest.mark.parametrize(
    "body",
    ["[]", '"text"', "12", "null", "[" * 40 + "]" * 40, '{"name": "\\ud800"}', "\x00", "{"],
    ids=repr,
)
def test_the_api_refuses_bodies_that_are_not_a_submission(client, body):
    before = Initiative.objects.count()
    response = post_api(client, body)
    assert response.status_code == 400
    assert response.json()
    assert Initiative.objects.count() == before


def test_the_edit_form_refuses_line_breaks_too(client):
    result = initiative_submit(
        data={
            **VALID,
            "themes": ["mobility"],
            "location": parse_point(*BORDEAUX),
        },
        submitter_ip="192.0.2.1",
    )
    holder = Client()
    holder.get(reverse("initiatives:private-link", args=[result.token]))
    for field in ONE_LINE_FIELDS:
        data = form_body(action="edit", **{field: broken(VALID[field], "\r\n")})
        assert_form_refuses(holder, "/mon-initiative/", data, field)
    assert Initiative.objects.get(pk=result.initiative.pk).name == VALID["name"]


# Between letters, so that trimming the ends cannot remove the control character.
text_with_a_control = st.builds(
    lambda head, char, tail: f"a{head}{char}{tail}z",
    st.text(max_size=30),
    st.sampled_from(BREAKING + CONTROL) | st.characters(categories=["Cc", "Zl", "Zp"]),
    st.text(max_size=30),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.sampled_from(ONE_LINE_FIELDS), text=text_with_a_control)
def test_any_text_with_a_control_character_is_refused_on_its_field(client, field, text):
    """Random text around a control character, in one of the one-line fields, through the
    API and through the form."""
    assert_api_refuses(client, api_body(**{field: text}), field)
    assert_form_refuses(client, FORM, form_body(**{field: text}), field)
