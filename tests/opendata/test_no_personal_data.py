"""No public output ever carries a contact e-mail address or a private token."""

import re

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from tests.factories import make_initiative
from tests.opendata.helpers import body

# Anything that could be an address or a token, to compare with the stored secrets at once.
WORDS = re.compile(r"[\w.+-]+@[\w.-]+|[0-9a-f]{32,}")


def _public_urls(initiative: Initiative) -> list[str]:
    ogc_items = reverse("ogc:items", args=["initiatives"])
    return [
        reverse("opendata:initiatives-geojson"),
        reverse("opendata:initiatives-csv"),
        reverse("opendata:territories-geojson") + "?level=departement",
        reverse("opendata:initiatives-schema"),
        reverse("opendata:index"),
        reverse("api:initiative-list") + "?page_size=1000",
        reverse("api:initiative-detail", args=[initiative.pk]),
        reverse("api:territory-detail", args=["33063"]),
        ogc_items + "?limit=10000",
        ogc_items + "?limit=10000&f=html",
        reverse("ogc:item", args=["initiatives", initiative.pk]),
        reverse("ogc:item", args=["initiatives", initiative.pk]) + "?f=html",
        reverse("ogc:collections"),
    ]


def _secrets() -> set[str]:
    values = set(
        Initiative.objects.exclude(contact_email="").values_list("contact_email", flat=True)
    )
    for field in ("private_token_hash",):  # private fields other sessions may add
        if any(f.name == field for f in Initiative._meta.fields):
            values |= set(Initiative.objects.exclude(**{field: ""}).values_list(field, flat=True))
    return values


@pytest.mark.django_db
def test_no_public_output_contains_a_contact_address(client):
    initiative = make_initiative(contact_email="holder.secret@example.net")
    secrets = _secrets()
    assert "porteur.demo0002@example.org" in secrets and len(secrets) >= 437
    for url in _public_urls(initiative):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response).decode("utf-8")
        assert "@example." not in text, url
        assert not set(WORDS.findall(text)) & secrets, url
