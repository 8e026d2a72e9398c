"""Who may do what on the institutions' side. Personas: an anonymous visitor, a resident holding
an initiative's private link, a moderator, a member of the institution, a member of another
institution. Institutions can offer support; nobody on this side can change an initiative."""

import pytest
from django.urls import get_resolver, reverse

from initiatives.services import token_hash
from radar import services
from radar.models import Follow, SupportOffer

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(client, member, other_member, moderator):
    """A fresh client per persona, logged in as that persona."""
    from django.test import Client

    def as_(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return {
        "anonymous": as_(None),
        "moderator": as_(moderator),
        "member": as_(member),
        "other_member": as_(other_member),
    }


@pytest.fixture
def offer(institution, member, asking, holder_token):
    offer = services.support_offer_create(
        institution=institution, user=member, initiative=asking, kind="premises", message="m"
    )
    # The offer's e-mail carries a fresh private link; here the holder's is `holder_token`.
    asking.private_token_hash = token_hash(holder_token)
    asking.save(update_fields=["private_token_hash"])
    return offer


LOGIN = reverse("radar:login")


@pytest.mark.parametrize("persona", ["anonymous", "moderator", "member", "other_member"])
@pytest.mark.parametrize(
    "url",
    [
        reverse("radar:home"),
        reverse("radar:territory", args=["33063"]),
        reverse("radar:territory-csv", args=["33063"]),
    ],
)
def test_the_radar_is_public_to_everyone(personas, persona, url):
    assert personas[persona].get(url).status_code == 200


@pytest.mark.parametrize(
    "persona, status",
    [("anonymous", 302), ("moderator", 403), ("member", 200), ("other_member", 200)],
)
def test_only_institution_members_have_an_institution_page(personas, persona, status):
    response = personas[persona].get(reverse("radar:institution"))
    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    "persona, status, follows",
    [("anonymous", 302, 0), ("moderator", 403, 0), ("member", 302, 1), ("other_member", 302, 0)],
)
def test_only_members_follow_territories_for_their_own_institution(
    personas, persona, status, follows, institution, bordeaux
):
    response = personas[persona].post(reverse("radar:follow"), {"territory": "33063"})
    assert response.status_code == status
    assert Follow.objects.filter(institution=institution).count() == follows


@pytest.mark.parametrize(
    "persona, status",
    [("anonymous", 302), ("moderator", 403), ("member", 302), ("other_member", 302)],
)
def test_only_members_offer_support_and_always_in_their_own_name(
    personas, persona, status, asking, institution, other_institution
):
    url = reverse("radar:support-offer", args=[asking.pk])
    response = personas[persona].post(url, {"kind": "funding", "message": "Une aide."})
    assert response.status_code == status
    offers = list(
        SupportOffer.objects.filter(initiative=asking).values_list("institution", flat=True)
    )
    expected = {"member": [institution.pk], "other_member": [other_institution.pk]}
    assert offers == expected.get(persona, [])


def test_a_resident_with_a_private_link_cannot_offer_support_without_an_account(
    personas, asking, holder_token
):
    url = reverse("radar:support-offer", args=[asking.pk]) + f"?token={holder_token}"
    response = personas["anonymous"].post(url, {"kind": "funding", "message": "m"})
    assert response.status_code == 302
    assert not SupportOffer.objects.exists()


@pytest.mark.parametrize(
    "persona, status, final",
    [
        ("anonymous", 302, "offered"),
        ("moderator", 403, "offered"),
        ("other_member", 404, "offered"),
        ("member", 302, "withdrawn"),
    ],
)
def test_only_the_offering_institution_withdraws(personas, persona, status, final, offer):
    response = personas[persona].post(reverse("radar:support-withdraw", args=[offer.pk]))
    assert response.status_code == status
    offer.refresh_from_db()
    assert offer.status == final


@pytest.mark.parametrize("persona", ["anonymous", "moderator", "member", "other_member"])
def test_without_the_private_link_nobody_answers_an_offer(personas, persona, offer):
    url = reverse("radar:support-answer", args=[offer.pk])
    response = personas[persona].post(url, {"decision": "accept", "public": "on"})
    assert response.status_code == 404
    offer.refresh_from_db()
    assert (offer.status, offer.public_consent) == ("offered", False)


def test_the_resident_with_the_private_link_accepts_and_agrees_to_show(
    personas, offer, holder_token
):
    url = reverse("radar:support-answer", args=[offer.pk])
    page = personas["anonymous"].get(url, {"token": holder_token})
    assert page.status_code == 200
    assert "Ville de Bordeaux" in page.content.decode()
    response = personas["anonymous"].post(
        url, {"token": holder_token, "decision": "accept", "public": "on"}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.public_consent) == ("accepted", True)


def test_a_private_link_of_another_initiative_does_not_answer(personas, offer):
    from tests.factories import make_initiative

    other = make_initiative(needs=["funding"])
    other.private_token_hash = token_hash("another-secret-token")
    other.save(update_fields=["private_token_hash"])
    url = reverse("radar:support-answer", args=[offer.pk])
    response = personas["anonymous"].post(
        url, {"token": "another-secret-token", "decision": "accept", "public": "on"}
    )
    assert response.status_code == 404


def test_the_holders_e_mail_is_never_shown_to_the_institution(personas, offer, asking):
    for url in (
        reverse("radar:institution"),
        reverse("radar:support-offer", args=[asking.pk]),
        reverse("radar:home"),
        reverse("radar:territory", args=["33063"]),
    ):
        assert asking.contact_email not in personas["member"].get(url).content.decode()


def test_institution_members_are_not_staff_and_the_admin_refuses_them(personas, member, asking):
    assert not member.is_staff and not member.is_superuser
    change = reverse("admin:initiatives_initiative_change", args=[asking.pk])
    response = personas["member"].post(
        change, {"name": "Renamed", "publication_status": "archived"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    asking.refresh_from_db()
    assert (asking.name, asking.publication_status) != ("Renamed", "archived")
    assert asking.publication_status == "published"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_api_refuses_an_institution_member_changing_an_initiative(
    personas, member, asking, method
):
    url = reverse("api:initiative-detail", args=[asking.pk])
    response = getattr(personas["member"], method)(
        url, {"name": "Renamed"}, content_type="application/json"
    )
    assert response.status_code in (403, 405)
    asking.refresh_from_db()
    assert asking.name != "Renamed"


def test_the_radar_has_no_route_to_edit_claim_hide_or_rank_an_initiative():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    radar_patterns = get_resolver().namespace_dict["radar"][1].reverse_dict
    radar_names = sorted(n for n in radar_patterns if isinstance(n, str))
    assert radar_names == sorted(
        [
            "home",
            "territory",
            "territory-csv",
            "login",
            "logout",
            "institution",
            "follow",
            "unfollow",
            "support-offer",
            "support-withdraw",
            "support-answer",
            # residents follow a territory: a feed and an e-mail subscription, read-only
            "territory-feed",
            "subscribe",
            "subscription-confirm",
            "unsubscribe",
        ]
    )
    assert names is not None


def test_a_member_cannot_offer_support_to_an_initiative_without_needs(personas):
    from tests.factories import make_initiative

    initiative = make_initiative(needs=[])
    url = reverse("radar:support-offer", args=[initiative.pk])
    assert personas["member"].get(url).status_code == 403
    response = personas["member"].post(url, {"kind": "funding", "message": "m"})
    assert response.status_code == 403
    assert not SupportOffer.objects.filter(initiative=initiative).exists()


def test_a_member_cannot_offer_support_to_an_unpublished_initiative(personas):
    from initiatives.choices import PublicationStatus
    from tests.factories import make_initiative

    initiative = make_initiative(status=PublicationStatus.PENDING, needs=["funding"])
    url = reverse("radar:support-offer", args=[initiative.pk])
    assert personas["member"].post(url, {"kind": "funding", "message": "m"}).status_code == 404
