"""The public search: French full text, whatever the case, accents, hyphens and articles."""

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from initiatives.search import search_words
from initiatives.selectors import InitiativeFilters, initiatives_matching
from territories.selectors import territory_by_code
from tests.factories import make_initiative

BEGLES = (-0.5475, 44.8086)


def found(text: str, **filters) -> set[str]:
    matching = initiatives_matching(filters=InitiativeFilters(text=text, **filters))
    return set(matching.values_list("name", flat=True))


@pytest.fixture
def garden(db):
    return make_initiative(
        name="Le Jardin partagé de l'Écluse-Verte",
        short_description="Potager collectif et compost de quartier.",
        description="Des légumes cultivés ensemble, le mercredi après-midi.",
    )


def test_words_are_split_on_hyphens_and_apostrophes_and_articles_dropped():
    assert search_words("L'Atelier-Vélo de la Gare") == ["atelier", "vélo", "gare"]
    assert search_words("  ,;- ") == []


@pytest.mark.parametrize(
    "text",
    [
        "jardin partagé",
        "JARDIN PARTAGE",
        "jardins partages",  # plural: the French stemmer
        "ecluse verte",
        "écluse-verte",
        "l'ecluse",
        "les jardins de l'écluse",  # articles dropped
        "jard ecl",  # prefixes
        "compost",  # short description
        "legumes mercredi",  # long description, without accents
    ],
)
def test_it_finds_an_initiative_whatever_the_case_accents_hyphens_and_articles(garden, text):
    assert garden.name in found(text)


def test_every_word_must_match(garden):
    assert garden.name not in found("jardin piscine")


def test_a_name_with_a_typo_is_still_found(garden):
    assert garden.name in found("jardin partagé de l'éclusse")


def test_the_commune_name_finds_the_initiatives_located_there(db):
    in_begles = make_initiative(name="Ressourcerie du Dorat", lonlat=BEGLES)
    elsewhere = make_initiative(name="Ressourcerie de la Bastide")

    assert {in_begles.name} == found("ressourcerie begles")
    assert elsewhere.name not in found("BÈGLES")


def test_the_territory_filter_keeps_the_initiatives_inside_it(db):
    in_begles = make_initiative(name="Fablab des Terres Neuves", lonlat=BEGLES)
    in_bordeaux = make_initiative(name="Fablab des Chartrons")
    begles = territory_by_code(code="33039")

    in_begles_found = found("fablab", territory=begles)
    assert in_begles.name in in_begles_found
    assert in_bordeaux.name not in in_begles_found
    assert in_bordeaux.name in found("fablab")


def test_text_without_any_word_filters_nothing(db):
    matching = initiatives_matching(filters=InitiativeFilters(text="' - ,"))
    assert matching.count() == Initiative.objects.published().count()


def test_pending_initiatives_are_never_found(db):
    make_initiative(status="pending", name="Grainothèque en attente")
    assert found("grainotheque attente") == set()


def test_the_home_page_searches_without_javascript(client, garden):
    response = client.get(reverse("initiatives:home"), {"q": "ecluse verte"})

    assert response.status_code == 200
    assert [item.name for item in response.context["page"]] == [garden.name]
    page = response.content.decode()
    assert 'value="ecluse verte"' in page
    assert f'href="/initiatives/{garden.pk}/?q=ecluse+verte"' in page


def test_the_home_page_filters_by_commune_or_epci_and_says_when_nothing_matches(client, garden):
    response = client.get(reverse("initiatives:home"), {"q": "ecluse", "territory": "33039"})

    assert response.context["page"].paginator.count == 0
    assert "Aucune initiative ne correspond à « ecluse »" in response.content.decode()


def test_an_unknown_territory_is_an_error_on_its_field_and_the_search_still_applies(client, garden):
    response = client.get(reverse("initiatives:home"), {"q": "ecluse", "territory": "99999"})

    assert response.status_code == 200
    assert response.context["form"].errors["territory"]
    assert [item.name for item in response.context["page"]] == [garden.name]


def test_the_api_searches_with_the_same_q_parameter(client, garden):
    response = client.get(reverse("api:initiative-list"), {"q": "Jardins de l'ECLUSE"})

    assert response.status_code == 200
    assert [feature["properties"]["name"] for feature in response.json()["features"]] == [
        garden.name
    ]


def test_the_api_documents_q(client):
    schema = client.get(reverse("schema"), {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/initiatives/"]["get"]["parameters"]
    q = next(parameter for parameter in parameters if parameter["name"] == "q")
    assert "accents" in q["description"]
