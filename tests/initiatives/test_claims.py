"""Claiming an imported initiative: request, moderation, private link by e-mail."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from initiatives.models import Claim, Initiative
from initiatives.services import token_hash

pytestmark = pytest.mark.django_db
CLAIMANT = "fondatrice@example.net"


@pytest.fixture
def census_place():
    return Initiative.objects.filter(source="tiers-lieux-2019", private_token_hash="").first()


@pytest.fixture
def moderator_client(client):
    user = User.objects.create_user("modo", password="a long moderator password")
    user.groups.add(Group.objects.get(name="moderators"))
    client.force_login(user)
    return client


def _claim(client, initiative, **overrides):
    data = {"email": CLAIMANT, "role": "Fondatrice", "message": "C'est notre lieu.", **overrides}
    return client.post(reverse("initiatives:claim", args=[initiative.pk]), data)


def test_an_initiative_without_a_holder_offers_the_claim(client, census_place):
    page = client.get(reverse("initiatives:detail", args=[census_place.pk])).content.decode()

    assert "C’est votre initiative ?" in page
    assert reverse("initiatives:claim", args=[census_place.pk]) in page


def test_an_initiative_with_a_holder_offers_no_claim(client, census_place):
    census_place.private_token_hash = token_hash("held")
    census_place.save()

    page = client.get(reverse("initiatives:detail", args=[census_place.pk])).content.decode()
    assert "C’est votre initiative ?" not in page
    response = client.get(reverse("initiatives:claim", args=[census_place.pk]))
    assert response.status_code == 302


def test_a_claim_is_recorded_pending_and_published_nowhere(client, census_place):
    response = _claim(client, census_place)

    assert response.status_code == 200
    assert "Merci" in response.content.decode()
    claim = Claim.objects.get(initiative=census_place)
    assert (claim.email, claim.role, claim.status) == (CLAIMANT, "Fondatrice", "pending")
    for url in (
        reverse("initiatives:detail", args=[census_place.pk]),
        reverse("api:initiative-detail", args=[census_place.pk]),
        reverse("opendata:initiatives-csv"),
    ):
        content = client.get(url)
        text = b"".join(content.streaming_content) if content.streaming else content.content
        assert CLAIMANT.encode() not in text and b"Fondatrice" not in text


def test_bad_input_is_reported_field_by_field_and_stores_nothing(client, census_place):
    response = _claim(client, census_place, email="pas-une-adresse", role="")

    page = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide." in page
    assert "Ce champ est obligatoire." in page
    assert not Claim.objects.exists()


def test_the_honeypot_refuses_robots(client, census_place):
    response = _claim(client, census_place, fax_number="0102030405")

    assert response.status_code == 400
    assert not Claim.objects.exists()


def test_claims_share_the_contribution_rate_limit(client, census_place, settings):
    settings.SUBMISSION_RATE_LIMIT = "1/hour"

    assert _claim(client, census_place).status_code == 200
    assert _claim(client, census_place).status_code == 429
    assert Claim.objects.count() == 1


def test_approving_a_claim_sends_the_private_link_that_opens_the_initiative(
    client, moderator_client, census_place, django_capture_on_commit_callbacks
):
    _claim(client, census_place)
    claim = Claim.objects.get()
    page = moderator_client.get("/moderation/").content.decode()
    assert CLAIMANT in page and "Fondatrice" in page

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post("/moderation/", {"claim": claim.pk, "action": "approve"})

    census_place.refresh_from_db()
    assert census_place.contact_email == CLAIMANT and census_place.has_holder
    (message,) = [m for m in mail.outbox if CLAIMANT in m.to]
    link = re.search(r"http://\S+/mon-initiative/\S+/", message.body).group(0)
    assert token_hash(link.rstrip("/").rsplit("/", 1)[1]) == census_place.private_token_hash
    client.get(link.replace("http://127.0.0.1:8000", ""))
    page = client.get(reverse("initiatives:my-initiative")).content.decode()
    assert escape(census_place.name) in page


def test_rejecting_a_claim_tells_the_claimant_why_and_erases_the_address(
    client, moderator_client, census_place, django_capture_on_commit_callbacks
):
    _claim(client, census_place)
    claim = Claim.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            "/moderation/", {"claim": claim.pk, "action": "reject", "reason": "Inconnu du lieu."}
        )

    claim.refresh_from_db()
    assert (claim.status, claim.email) == ("rejected", "")
    assert any("Inconnu du lieu." in m.body for m in mail.outbox if CLAIMANT in m.to)
    census_place.refresh_from_db()
    assert not census_place.has_holder
