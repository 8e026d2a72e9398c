"""The moderation screen in words: every field unfolded, diffs with labels, menus showing only
what the person may open, pending pages open to moderators."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point
from django.urls import reverse

from initiatives.services import initiative_edit, initiative_submit
from tests.factories import BORDEAUX, make_initiative

pytestmark = pytest.mark.django_db
QUEUE = "/moderation/"


@pytest.fixture
def moderator_client(client):
    user = User.objects.create_user("modo", password="a long moderator password")
    user.groups.add(Group.objects.get(name="moderators"))
    client.force_login(user)
    return client


def submit(**overrides):
    data = {
        "name": "Boîte à livres du quai",
        "short_description": "Des livres à prendre et à donner.",
        "description": "Ouverte tous les jours, au bord de la Garonne.",
        "themes": ["culture"],
        "location": Point(*BORDEAUX, srid=4326),
        "contact_email": "books@example.net",
        "needs": ["premises", "volunteers"],
        "reciprocity": True,
        "step_free_access": False,
        "languages": ["fr", "es"],
        "governance": "multi_stakeholder",
    }
    data.update(overrides)
    return initiative_submit(data=data, submitter_ip="192.0.2.1").initiative


def test_each_item_unfolds_to_every_field_in_words_with_its_position(moderator_client):
    submit()
    page = moderator_client.get(QUEUE).content.decode()
    assert '<details class="item-details">' in page
    assert "Ouverte tous les jours, au bord de la Garonne." in page
    assert 'class="mini-map"' in page and f'data-lon="{BORDEAUX[0]:.6f}"' in page
    for words in ("Participants peuvent contribuer", "Accès de plain-pied", "espagnol"):
        assert words.lower() in page.lower()
    for leak in ("premises", "volunteers", ">True<", ">False<", ">None<", "multi_stakeholder"):
        assert leak not in page
    assert "books@example.net" not in page  # private, even here


def test_diffs_use_labels_not_codes_or_booleans(moderator_client):
    published = make_initiative(name="Atelier vélo", needs=[], step_free_access=None)
    values = {
        "name": published.name,
        "short_description": published.short_description,
        "themes": published.themes,
        "location": published.location,
        "contact_email": "bike@example.net",
        "needs": ["premises", "volunteers"],
        "step_free_access": False,
    }
    initiative_edit(initiative=published, data=values)
    page = moderator_client.get(QUEUE).content.decode()
    table = page[page.index('<table class="changes">') :]
    assert "False" not in table and "premises" not in table
    assert "non renseigné" in table and ">non<" in table


def test_the_bulk_panel_follows_the_items_and_the_disabled_button_stays_hidden(moderator_client):
    page = moderator_client.get(QUEUE).content.decode()
    assert 'href="#bulk-actions"' in page and 'id="bulk-actions"' in page
    css = Path("static/css/site.css").read_text()
    assert "[hidden] { display: none !important; }" in css
    bulk_rule = next(line for line in css.splitlines() if line.startswith(".moderation .bulk {"))
    assert "sticky" not in bulk_rule


def test_a_moderator_opens_a_pending_item_but_the_public_does_not(client, moderator_client):
    submission = submit()
    url = reverse("initiatives:detail", args=[submission.pk])
    page = moderator_client.get(url)
    assert page.status_code == 200
    assert "seuls les modérateurs" in page.content.decode()
    client.logout()
    assert client.get(url).status_code == 404


def test_a_moderator_sees_moderation_but_not_my_institution_in_the_menu(moderator_client):
    page = moderator_client.get("/").content.decode()
    assert reverse("initiatives:moderation") in page
    assert reverse("radar:institution") not in page


def test_a_forbidden_page_says_why_without_private_link_wording(moderator_client):
    response = moderator_client.get(reverse("radar:institution"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "lien privé" not in text
    assert "membres d’une institution" in text or "membres d'une institution" in text
