"""The embeddable map: the only page other sites may frame, without cookies."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from initiatives.models import Initiative
from tests.factories import make_initiative

BEGLES = (-0.5475, 44.8086)


@pytest.mark.django_db
def test_the_builder_gives_an_iframe_snippet_for_a_territory_themes_and_a_height(client):
    response = client.get(
        reverse("initiatives:embed"), {"territory": "33039", "theme": ["food"], "height": "640"}
    )

    assert response.status_code == 200
    src = f"{settings.SITE_URL}/integrer/carte/?territory=33039&amp;theme=food"
    snippet = (
        f'<iframe src="{src}" title="Initiatives collaboratives — Bègles" width="100%" '
        'height="640" style="border:0;max-width:100%" loading="lazy"></iframe>'
    )
    assert response.context["snippet"] == snippet
    assert escape(snippet) in response.content.decode()  # in the textarea, to copy


@pytest.mark.django_db
def test_the_builder_refuses_a_bad_height_or_territory_field_by_field(client):
    response = client.get(reverse("initiatives:embed"), {"territory": "00000", "height": "5"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"territory", "height"}
    assert response.context["snippet"] == ""


@pytest.mark.django_db
def test_the_builder_itself_may_not_be_framed(client):
    response = client.get(reverse("initiatives:embed"))

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_embed_map_may_be_framed_by_the_allowed_origins_only(client, settings):
    settings.EMBED_FRAME_ANCESTORS = ["https://www.mairie-begles.fr", "https://*.gironde.fr"]

    response = client.get(reverse("initiatives:embed-map"), {"territory": "33039"})

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert (
        "frame-ancestors https://www.mairie-begles.fr https://*.gironde.fr"
        in response["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_the_embed_map_sets_no_cookie_even_for_a_logged_in_visitor(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    client.cookies.clear()

    response = client.get(reverse("initiatives:embed-map"))

    assert response.cookies == {}
    assert "Set-Cookie" not in str(response.headers)
    assert "csrfmiddlewaretoken" not in response.content.decode()


@pytest.mark.django_db
def test_the_embed_map_lists_the_territory_without_javascript_with_links_out_of_the_frame(
    client,
):
    inside = make_initiative(name="Cantine solidaire du Prêche", themes=["food"], lonlat=BEGLES)
    outside = make_initiative(name="Cantine des Capucins", themes=["food"])

    response = client.get(reverse("initiatives:embed-map"), {"territory": "33039", "theme": "food"})

    page = response.content.decode()
    listed = list(response.context["page"].paginator.object_list)
    assert inside in listed and outside not in listed
    assert all(item.territory.code == "33039" for item in listed)
    link = f'href="{settings.SITE_URL}/initiatives/{inside.pk}/" target="_blank" rel="noopener"'
    assert link in page
    assert f'href="{settings.SITE_URL}/contribuer/" target="_blank"' in page
    assert "Ajouter une initiative" in page
    assert "Licence Ouverte" in page


@pytest.mark.django_db
def test_every_other_page_stays_unframeable(client):
    for name in ("initiatives:home", "initiatives:contribute", "radar:home"):
        assert client.get(reverse(name))["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_embed_map_never_lists_pending_initiatives(client):
    make_initiative(status="pending", name="Projet pas encore modéré", lonlat=BEGLES)

    response = client.get(reverse("initiatives:embed-map"), {"territory": "33039"})

    assert "Projet pas encore modéré" not in response.content.decode()
    assert response.context["page"].paginator.count == (
        Initiative.objects.published().filter(territory__code="33039").count()
    )
