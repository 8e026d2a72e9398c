import pytest
from django.urls import reverse

from initiatives.models import Initiative
from territories.models import Territory


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.net", "x-pass-123")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_admin_edits_territories_and_initiatives_on_a_leaflet_map(admin):
    initiative = Initiative.objects.published().first()
    territory = Territory.objects.get(level="commune", code="33063")

    for url in (
        reverse("admin:initiatives_initiative_change", args=[initiative.pk]),
        reverse("admin:territories_territory_change", args=[territory.pk]),
    ):
        page = admin.get(url).content.decode()
        assert "leaflet/leaflet.forms.js" in page  # django-leaflet's map widget
        field = "location" if "initiatives" in url else "geometry"
        assert f'id="id_{field}-map"' in page


@pytest.mark.django_db
def test_the_admin_lists_load_within_a_query_budget(admin, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("admin:initiatives_initiative_changelist")).status_code == 200
