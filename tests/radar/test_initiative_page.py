"""The public page of an initiative: every public field in words, the way back to the map,
the commune's profile, the source in words, and the offer of support for members."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def _page(client, initiative, **query):
    response = client.get(reverse("initiatives:detail", args=[initiative.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_every_optional_answer_is_shown_with_its_label_in_words(client):
    initiative = make_initiative(
        governance="participative",
        animation="volunteers",
        reciprocity=True,
        step_free_access=False,
        usable_without_internet=None,
        languages=["fr", "es"],
    )

    page = _page(client, initiative)

    for label, value in [
        ("Gouvernance", "Participative"),
        ("Animation", "Bénévoles"),
        ("Les participants peuvent contribuer", "oui"),
        ("Accès de plain-pied", "non"),
        ("Utilisable sans internet", "non renseigné"),
        ("Langues parlées", "espagnol, français"),  # stored sorted
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page
    assert "True" not in page and "False" not in page and "None" not in page
    assert "participative<" not in page and "volunteers" not in page


def test_the_source_is_in_words_with_the_licence(client):
    page = _page(client, make_initiative(source="resident"))

    provenance = " ".join(re.search(r'<p class="provenance">(.*?)</p>', page, re.S)[1].split())
    assert provenance == (
        "Source : un habitant ou une habitante, vérifié par la modération du radar "
        "· Licence : Licence Ouverte / Open Licence 2.0 (Etalab)"
    )
    assert "Source : resident" not in page
    assert "(Bordeaux)" not in page


def test_the_way_back_keeps_the_map_filters_and_only_them(client):
    initiative = make_initiative()

    page = _page(client, initiative, q="repair", theme="food", page="2", evil="x")

    back = re.search(r'<p class="breadcrumb"><a href="([^"]+)"', page).group(1)
    assert back == "/?q=repair&amp;theme=food&amp;page=2#initiative-list"


def test_the_page_links_to_the_commune_profile(client):
    page = _page(client, make_initiative())

    assert 'href="/radar/territoire/33063/"' in page


def test_institution_members_are_offered_to_support_and_others_are_not(client, member):
    initiative = make_initiative(needs=["premises"])
    offer = reverse("radar:support-offer", args=[initiative.pk])

    assert offer not in _page(client, initiative)
    client.force_login(member)
    assert f'href="{offer}"' in _page(client, initiative)
