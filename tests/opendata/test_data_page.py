import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from initiatives.choices import DEFINITIONS, Theme


@pytest.mark.django_db
def test_the_data_page_documents_fields_code_lists_licence_and_sources(client):
    html = client.get(reverse("opendata:index")).content.decode()
    assert "Licence Ouverte / Open Licence 2.0 (Etalab)" in html
    assert "<code>short_description</code>" in html
    with translation.override("en"):
        assert str(DEFINITIONS[Theme][Theme.FOOD]) in html
    assert "CGET/ANCT « Mission coworking »" in html
    assert "IGN Admin Express 2018" in html
    assert "436 initiatives are fictional examples" in html
    assert "523 published initiatives" in html


@pytest.mark.django_db
def test_the_data_page_speaks_french_by_default():
    html = Client().get(reverse("opendata:index")).content.decode()
    assert '<html lang="fr">' in html
