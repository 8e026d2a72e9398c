import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from initiatives.choices import ActivityStatus, PublicationStatus
from initiatives.models import Initiative, Revision, RevisionStatus
from initiatives.services import initiative_approve, initiative_remind, initiative_submit
from tests.factories import BORDEAUX

pytestmark = pytest.mark.django_db
MY_PAGE = "/mon-initiative/"


def submitted(**overrides):
    data = {
        "name": "Grainothèque de Bègles",
        "short_description": "Échange de graines à la médiathèque.",
        "themes": ["food"],
        "location": Point(*BORDEAUX, srid=4326),
        "contact_email": "seeds@example.net",
    }
    data.update(overrides)
    return initiative_submit(data=data, submitter_ip="192.0.2.1")


def edit_data(initiative, **overrides) -> dict:
    data = {
        "action": "edit",
        "name": initiative.name,
        "short_description": initiative.short_description,
        "themes": initiative.themes,
        "lon": str(initiative.location.x),
        "lat": str(initiative.location.y),
        "contact_email": initiative.contact_email,
        "activity_status": initiative.activity_status,
    }
    data.update(overrides)
    return data


def open_link(client, token):
    response = client.get(reverse("initiatives:private-link", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == MY_PAGE  # the token leaves the address bar at once
    return client.get(MY_PAGE)


def test_the_private_link_opens_the_holder_page(client):
    result = submitted()
    page = open_link(client, result.token)
    assert page.status_code == 200
    assert "Grainothèque de Bègles" in page.content.decode()


@pytest.mark.parametrize("token", ["wrong", "x" * 43, ""])
def test_a_wrong_token_opens_nothing(client, token):
    submitted()
    if token:
        client.get(reverse("initiatives:private-link", args=[token]))
    assert client.get(MY_PAGE).status_code == 403


def test_editing_a_pending_initiative_updates_it_directly(client):
    result = submitted()
    open_link(client, result.token)
    initiative = result.initiative
    response = client.post(MY_PAGE, edit_data(initiative, name="Grainothèque de Bègles-centre"))
    assert response.status_code == 302
    assert Initiative.objects.get(pk=initiative.pk).name == "Grainothèque de Bègles-centre"
    assert not Revision.objects.filter(initiative=initiative).exists()


def test_editing_a_published_initiative_makes_a_pending_revision(client):
    result = submitted()
    initiative_approve(initiative=result.initiative, moderator=None)
    open_link(client, result.token)
    response = client.post(MY_PAGE, edit_data(result.initiative, name="Nouveau nom"))
    assert response.status_code == 302
    assert Initiative.objects.get(pk=result.initiative.pk).name == "Grainothèque de Bègles"
    revision = Revision.objects.get(initiative=result.initiative)
    assert revision.status == RevisionStatus.PENDING
    assert revision.values == {"name": "Nouveau nom"}
    public = client.get(reverse("initiatives:detail", args=[result.initiative.pk]))
    assert "Grainothèque de Bègles" in public.content.decode()
    assert "Nouveau nom" not in public.content.decode()


def test_an_invalid_edit_changes_nothing(client):
    result = submitted()
    initiative_approve(initiative=result.initiative, moderator=None)
    open_link(client, result.token)
    response = client.post(MY_PAGE, edit_data(result.initiative, lon="2.35", lat="48.85"))
    assert response.status_code == 400
    assert not Revision.objects.exists()
    assert Initiative.objects.get(pk=result.initiative.pk).location.coords == BORDEAUX


def test_the_holder_confirms_it_is_still_active(client):
    result = submitted()
    Initiative.objects.filter(pk=result.initiative.pk).update(
        last_confirmed_at=None, activity_status=ActivityStatus.DORMANT
    )
    open_link(client, result.token)
    client.post(MY_PAGE, {"action": "confirm"})
    initiative = Initiative.objects.get(pk=result.initiative.pk)
    assert initiative.last_confirmed_at is not None
    assert initiative.activity_status == ActivityStatus.ACTIVE


def test_withdrawing_erases_the_initiative_and_its_revisions(client):
    result = submitted()
    initiative_approve(initiative=result.initiative, moderator=None)
    Revision.objects.create(initiative=result.initiative, values={"name": "x"})
    open_link(client, result.token)
    asked = client.post(MY_PAGE, {"action": "withdraw"})
    assert asked.status_code == 200
    assert Initiative.objects.filter(pk=result.initiative.pk).exists()  # not before confirming
    assert 'value="erase"' in asked.content.decode()
    response = client.post(MY_PAGE, {"action": "erase"})
    assert response.status_code == 302
    assert not Initiative.objects.filter(pk=result.initiative.pk).exists()
    assert not Revision.objects.filter(initiative_id=result.initiative.pk).exists()
    assert not Initiative.objects.filter(contact_email="seeds@example.net").exists()


def test_a_replayed_token_after_withdrawal_opens_nothing(client):
    result = submitted()
    open_link(client, result.token)
    client.post(MY_PAGE, {"action": "erase"})
    assert open_link(client, result.token).status_code == 403


def test_a_rotated_token_stops_working_even_in_an_open_session(client):
    result = submitted()
    open_link(client, result.token)
    initiative_remind(initiative=Initiative.objects.get(pk=result.initiative.pk))
    assert client.get(MY_PAGE).status_code == 403
    assert open_link(client, result.token).status_code == 403


def test_the_holder_page_refuses_a_post_without_csrf_token():
    from django.test import Client

    result = submitted()
    client = Client(enforce_csrf_checks=True)
    open_link(client, result.token)
    assert client.post(MY_PAGE, {"action": "erase"}).status_code == 403
    assert Initiative.objects.filter(pk=result.initiative.pk).exists()


def test_a_pending_initiative_is_not_public_even_with_its_id(client):
    result = submitted()
    assert result.initiative.publication_status == PublicationStatus.PENDING
    assert client.get(reverse("initiatives:detail", args=[result.initiative.pk])).status_code == 404


def test_a_new_edit_supersedes_the_pending_one_and_both_are_kept():
    from initiatives.services import initiative_edit

    published = Initiative.objects.get(pk=submitted().initiative.pk)
    initiative_approve(initiative=published, moderator=None)
    first = initiative_edit(initiative=published, data={"name": "Premier essai"})
    second = initiative_edit(initiative=published, data={"name": "Second essai"})
    first.refresh_from_db()
    assert first.status == RevisionStatus.REJECTED
    assert first.reason == "superseded"
    assert second.status == RevisionStatus.PENDING
    assert published.revisions.count() == 2


def test_changing_only_the_private_email_needs_no_moderation():
    from initiatives.services import initiative_edit

    published = Initiative.objects.get(pk=submitted().initiative.pk)
    initiative_approve(initiative=published, moderator=None)
    outcome = initiative_edit(initiative=published, data={"contact_email": "new@example.net"})
    assert outcome is None
    assert Initiative.objects.get(pk=published.pk).contact_email == "new@example.net"
    assert not published.revisions.exists()
