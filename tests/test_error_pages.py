import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_unknown_page_is_a_translated_404_page(client):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.django_db
def test_a_form_post_without_csrf_token_explains_itself(settings):
    settings.DEBUG = False
    response = Client(enforce_csrf_checks=True).post("/contribuer/", {"name": "x"})

    assert response.status_code == 403
    assert "Le formulaire a expiré" in response.content.decode()


@pytest.mark.django_db
def test_a_too_large_form_post_gets_a_clear_page_and_stores_nothing(client, settings):
    from initiatives.models import Initiative

    before = Initiative.objects.count()
    response = client.post("/contribuer/", {"name": "x" * 1_000_000})

    assert response.status_code == 413
    assert "La requête n’a pas pu être lue" in response.content.decode()
    assert Initiative.objects.count() == before
