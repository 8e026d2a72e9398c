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


@pytest.mark.django_db
def test_the_embed_map_draws_from_the_shared_tiles_with_the_valid_filters_only(client):
    url = reverse("initiatives:embed-map")
    page = client.get(url, {"territory": "33039", "theme": ["food", "culture"]}).content.decode()
    refused = client.get(url, {"territory": "33039", "theme": "nonsense"}).content.decode()

    # The shared map module's configuration (tile URLs) and the tiles' filters, valid only
    # (an invalid field filters neither the list nor the map).
    assert '<script id="map-config" type="application/json">' in page
    assert 'data-query="territory=33039&amp;theme=food&amp;theme=culture"' in page
    assert 'data-query="territory=33039"' in refused
    assert "leaflet.markercluster.js" not in page
    # The map opens on the chosen commune (Bègles), not on the whole département.
    bounds = page.split('data-bounds="', 1)[1].split('"', 1)[0]
    west, south, east, north = (float(value) for value in bounds.split(","))
    assert west < BEGLES[0] < east and south < BEGLES[1] < north
    assert east - west < 0.2 and north - south < 0.2


@pytest.mark.django_db
def test_the_embed_map_keeps_its_content_security_policy(client, settings):
    settings.EMBED_FRAME_ANCESTORS = ["https://www.mairie-begles.fr"]

    policy = client.get(reverse("initiatives:embed-map"))["Content-Security-Policy"]
    home = client.get(reverse("initiatives:home"))["Content-Security-Policy"]

    # The same policy as every other page (scripts from this site only), but for the frame.
    assert policy == home.replace(
        "frame-ancestors 'none'", "frame-ancestors https://www.mairie-begles.fr"
    )
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
