import pytest
from django.urls import reverse
from django.utils.html import escape

from initiatives.models import Initiative
from tests.factories import make_initiative


@pytest.mark.django_db
def test_the_home_page_lists_published_initiatives_without_javascript(client):
    response = client.get(reverse("initiatives:home"), {"theme": "third_place"})

    assert response.status_code == 200
    expected = Initiative.objects.published().filter(themes__overlap=["third_place"])
    assert response.context["page"].paginator.count == expected.count()
    page = response.content.decode()
    assert all(escape(name) in page for name in expected.values_list("name", flat=True)[:50])


@pytest.mark.django_db
def test_pending_initiatives_are_not_on_the_home_page(client):
    make_initiative(status="pending", name="Projet en attente de modération")

    assert "Projet en attente" not in client.get(reverse("initiatives:home")).content.decode()


@pytest.mark.django_db
def test_initiative_text_is_escaped_in_the_list_and_the_detail_page(client):
    initiative = make_initiative(
        name="<script>alert('x')</script> Café", short_description="<b>gras</b> & <i>co</i>"
    )

    listing = client.get(reverse("initiatives:home"), {"page": 1, "theme": "repair_reuse"})
    detail = client.get(reverse("initiatives:detail", args=[initiative.pk]))

    escaped_name = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Café"
    for page in (listing.content.decode(), detail.content.decode()):
        assert "<script>alert" not in page
        assert escaped_name in page
        assert "&lt;b&gt;gras&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;" in page


@pytest.mark.django_db
def test_synthetic_initiatives_are_marked_fictional_on_the_page(client):
    synthetic = Initiative.objects.filter(is_synthetic=True).first()

    page = client.get(reverse("initiatives:detail", args=[synthetic.pk])).content.decode()

    assert "exemple fictif" in page


@pytest.mark.django_db
def test_contact_emails_never_appear_on_public_pages(client):
    initiative = make_initiative(contact_email="secret.holder@example.net")

    for url in (reverse("initiatives:home"), reverse("initiatives:detail", args=[initiative.pk])):
        assert "secret.holder@example.net" not in client.get(url).content.decode()
