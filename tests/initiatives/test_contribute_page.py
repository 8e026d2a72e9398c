import pytest
from django.test import Client, override_settings
from django.urls import reverse

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative
from tests.factories import BORDEAUX, OUTSIDE, make_initiative

pytestmark = pytest.mark.django_db
URL = "/contribuer/"


def form_data(**overrides) -> dict:
    data = {
        "name": "Repair café de Talence",
        "short_description": "On répare ensemble le samedi matin.",
        "themes": ["repair_reuse"],
        "lon": str(BORDEAUX[0]),
        "lat": str(BORDEAUX[1]),
        "contact_email": "resident@example.net",
    }
    data.update(overrides)
    return data


def test_the_map_page_links_to_the_contribution_page(client):
    assert f'href="{URL}"' in client.get("/").content.decode()
    assert reverse("initiatives:contribute") == URL


def test_the_page_has_labelled_fields_and_theme_definitions(client):
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<label for="id_name">' in page
    assert "<legend>Themes" in page
    assert "Food — Growing, sharing, cooking or distributing food together." in page
    assert 'aria-describedby="id_contact_email_helptext"' in page
    assert '<option value="Bordeaux (33063)">' in page


def test_a_resident_submits_from_the_map_and_sees_the_private_link_once(client, mailoutbox):
    response = client.post(URL, form_data())
    assert response.status_code == 200
    initiative = Initiative.objects.get(name="Repair café de Talence")
    assert initiative.publication_status == PublicationStatus.PENDING
    assert "/mon-initiative/" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_commune_alone_places_the_initiative_inside_that_commune(client):
    data = form_data(lon="", lat="", commune="Talence (33522)", address="Place Alcala")
    assert client.post(URL, data).status_code == 200
    initiative = Initiative.objects.get(name="Repair café de Talence")
    assert initiative.territory.code == "33522"
    assert initiative.address == "Place Alcala"


def test_a_commune_name_without_its_code_is_enough(client):
    client.post(URL, form_data(lon="", lat="", commune="talence"))
    assert Initiative.objects.get(name="Repair café de Talence").territory.code == "33522"


FORM_ERRORS = [
    ("no place", {"lon": "", "lat": ""}, "Choose the place on the map, or type the commune."),
    ("unknown commune", {"lon": "", "lat": "", "commune": "Paris"}, "We do not know this"),
    ("outside", {"lon": str(OUTSIDE[0]), "lat": str(OUTSIDE[1])}, "outside the territory"),
    ("NaN", {"lon": "nan", "lat": "44.8"}, "out of range"),
    ("out of range", {"lon": "500", "lat": "44.8"}, "out of range"),
    ("not a number", {"lon": "east", "lat": "44.8"}, "must be numbers"),
    ("no theme", {"themes": []}, "Choose at least one theme."),
    ("bad e-mail", {"contact_email": "x@"}, "Enter a valid email address."),
    ("javascript link", {"website": "javascript:alert(1)"}, "Enter a valid URL."),
    ("long name", {"name": "x" * 201}, "at most 200 characters"),
]


@pytest.mark.parametrize(
    ("case", "overrides", "message"), FORM_ERRORS, ids=[c[0] for c in FORM_ERRORS]
)
def test_it_shows_errors_next_to_fields_and_in_a_summary_and_stores_nothing(
    client, case, overrides, message
):
    before = Initiative.objects.count()
    response = client.post(URL, form_data(**overrides), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in page
    assert message in page
    assert 'aria-invalid="true"' in page
    assert Initiative.objects.count() == before


def test_the_error_summary_links_to_the_fields(client):
    page = client.post(URL, form_data(name="", themes=[])).content.decode()
    assert 'href="#id_name"' in page
    assert 'href="#id_themes_0"' in page


def test_it_refuses_a_filled_honeypot(client):
    before = Initiative.objects.count()
    response = client.post(URL, form_data(fax_number="+33 5 00 00 00 00"))
    assert response.status_code == 400
    assert Initiative.objects.count() == before


def test_it_refuses_a_post_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    before = Initiative.objects.count()
    assert client.post(URL, form_data()).status_code == 403
    assert Initiative.objects.count() == before


def test_it_refuses_a_1_mb_body(client):
    before = Initiative.objects.count()
    response = client.post(URL, form_data(name="x" * 1_000_000))
    assert response.status_code == 413
    assert Initiative.objects.count() == before


@override_settings(SUBMISSION_RATE_LIMIT="1/hour")
def test_it_answers_a_clear_429_page_past_the_rate_limit(client):
    client.post(URL, form_data(name="Premier"))
    before = Initiative.objects.count()
    response = client.post(URL, form_data(name="Second"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many initiatives were sent from your connection" in response.content.decode()
    assert Initiative.objects.count() == before


SCRIPT = "<script>alert('x')</script><b onmouseover=alert(1)>gras</b>"


def test_script_and_html_in_every_text_field_are_rendered_escaped(client):
    initiative = make_initiative(
        name=SCRIPT,
        short_description=SCRIPT,
        description=SCRIPT,
        address=SCRIPT,
        website="https://example.org/?q=<script>",
    )
    for url in (reverse("initiatives:detail", args=[initiative.pk]), "/"):
        page = client.get(url, {"page": 1}).content.decode()
        assert "<script>alert" not in page
        assert "<b onmouseover" not in page
    detail = client.get(reverse("initiatives:detail", args=[initiative.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in detail


def test_the_contact_email_never_appears_on_public_pages(client):
    initiative = make_initiative(contact_email="secret-holder@example.net")
    for url in ("/", reverse("initiatives:detail", args=[initiative.pk])):
        assert "secret-holder@example.net" not in client.get(url).content.decode()


def test_each_error_is_said_once_beside_its_field_and_once_in_the_summary(client):
    page = client.post(URL, form_data(themes=[]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("Choose at least one theme.") == 2
    assert 'href="#id_themes_0">Themes: Choose at least one theme.</a>' in page
