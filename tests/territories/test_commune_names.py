"""Official commune names, with their articles, found however they are typed."""

import pytest
from django.urls import reverse

from initiatives.selectors import commune_named
from territories.models import Territory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "name"),
    [("33029", "Le Barp"), ("33529", "La Teste-de-Buch"), ("33352", "La Réole"),
     ("33069", "Le Bouscat")],
)  # fmt: skip
def test_the_demo_communes_have_their_official_insee_names(code, name):
    assert Territory.objects.get(level="commune", code=code).name == name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("la teste", "33529"),
        ("La Teste-de-Buch", "33529"),
        ("teste de buch", "33529"),
        ("Le Barp", "33029"),
        ("barp", "33029"),
        ("reole", "33352"),
        ("LA RÉOLE", "33352"),
        ("Le Bouscat (33069)", "33069"),
        ("saint emilion", "33394"),
    ],
)
def test_a_commune_is_found_with_or_without_article_accents_or_hyphens(typed, code):
    assert commune_named(text=typed).code == code


@pytest.mark.django_db
def test_an_ambiguous_or_unknown_name_finds_nothing():
    assert commune_named(text="saint") is None  # dozens of Saint-…
    assert commune_named(text="Atlantide") is None
    assert commune_named(text="") is None


@pytest.mark.django_db
def test_the_territories_api_filters_communes_by_name(client):
    response = client.get(reverse("api:territory-list") + "?level=commune&name=la+teste")

    codes = [feature["properties"]["code"] for feature in response.json()["features"]]
    assert codes == ["33529"]
