import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from initiatives.choices import PublicationStatus
from radar import selectors, services
from radar.models import SupportOffer
from tests.factories import make_initiative

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _offer(institution, member, initiative, **overrides):
    values = {"kind": "premises", "message": "Une salle le mardi soir."}
    values.update(overrides)
    return services.support_offer_create(
        institution=institution, user=member, initiative=initiative, **values
    )


def test_it_stores_an_offer_and_mails_the_holder_after_commit(
    institution, member, asking, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        offer = _offer(institution, member, asking)
    offer.refresh_from_db()
    assert (offer.status, offer.public_consent, offer.offered_by) == ("offered", False, member)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [asking.contact_email]
    assert "Ville de Bordeaux" in mailoutbox[0].body
    assert "Une salle le mardi soir." in mailoutbox[0].body


def test_it_sends_no_mail_before_commit(institution, member, asking, mailoutbox):
    _offer(institution, member, asking)
    assert mailoutbox == []


def test_it_refuses_an_initiative_without_needs(institution, member):
    initiative = make_initiative(needs=[])
    with pytest.raises(ValidationError, match="has not declared a need"):
        _offer(institution, member, initiative)
    assert not SupportOffer.objects.filter(initiative=initiative).exists()


def test_it_refuses_an_unpublished_initiative(institution, member):
    initiative = make_initiative(status=PublicationStatus.PENDING, needs=["funding"])
    with pytest.raises(ValidationError, match="published initiative"):
        _offer(institution, member, initiative)


def test_it_refuses_a_user_outside_the_institution(institution, other_member, asking):
    with pytest.raises(PermissionDenied):
        _offer(institution, other_member, asking)


def test_it_refuses_an_unknown_kind(institution, member, asking):
    with pytest.raises(ValidationError):
        _offer(institution, member, asking, kind="ranking")


def test_accepting_with_consent_makes_the_support_public(institution, member, asking):
    offer = _offer(institution, member, asking)
    assert list(selectors.public_support_for(initiative=asking)) == []
    services.support_offer_answer(offer=offer, accept=True, public=True)
    offer.refresh_from_db()
    assert (offer.status, offer.public_consent) == ("accepted", True)
    assert offer.answered_at is not None
    assert list(selectors.public_support_for(initiative=asking)) == [offer]


def test_accepting_without_consent_keeps_the_support_private(institution, member, asking):
    offer = services.support_offer_answer(
        offer=_offer(institution, member, asking), accept=True, public=False
    )
    assert (offer.status, offer.public_consent) == ("accepted", False)
    assert list(selectors.public_support_for(initiative=asking)) == []


def test_declining_never_makes_the_support_public(institution, member, asking):
    offer = services.support_offer_answer(
        offer=_offer(institution, member, asking), accept=False, public=True
    )
    assert (offer.status, offer.public_consent) == ("declined", False)
    assert list(selectors.public_supports().filter(pk=offer.pk)) == []


def test_an_offer_is_answered_only_once(institution, member, asking):
    offer = _offer(institution, member, asking)
    services.support_offer_answer(offer=offer, accept=False, public=False)
    with pytest.raises(ValidationError, match="already been answered"):
        services.support_offer_answer(offer=offer, accept=True, public=True)


def test_the_institution_withdraws_an_open_offer(institution, member, asking):
    offer = services.support_offer_withdraw(offer=_offer(institution, member, asking), user=member)
    assert offer.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.support_offer_answer(offer=offer, accept=True, public=True)


def test_another_institution_cannot_withdraw_an_offer(institution, member, other_member, asking):
    offer = _offer(institution, member, asking)
    with pytest.raises(PermissionDenied):
        services.support_offer_withdraw(offer=offer, user=other_member)


def test_the_offer_mail_carries_a_fresh_working_private_link(
    client, institution, member, asking, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from initiatives.services import token_hash

    with django_capture_on_commit_callbacks(execute=True):
        _offer(institution, member, asking)
    body = mailoutbox[0].body
    assert "the one you received" not in body
    token = re.search(r"/mon-initiative/([\w-]+)/", body).group(1)
    asking.refresh_from_db()
    assert asking.private_token_hash == token_hash(token)
    client.get(f"/mon-initiative/{token}/")
    page = client.get("/mon-initiative/")
    assert page.status_code == 200
    assert "Ville de Bordeaux" in page.content.decode()
