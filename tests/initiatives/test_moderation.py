import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point
from django.urls import reverse

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative, Revision, RevisionStatus
from initiatives.selectors import possible_duplicates
from initiatives.services import initiative_edit, initiative_merge, initiative_submit
from tests.factories import BORDEAUX, make_initiative

pytestmark = pytest.mark.django_db
QUEUE = "/moderation/"


@pytest.fixture
def moderator():
    user = User.objects.create_user("modo", password="a long moderator password")
    user.groups.add(Group.objects.get(name="moderators"))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def submit(**overrides):
    data = {
        "name": "Boîte à livres du quai",
        "short_description": "Des livres à prendre et à donner.",
        "themes": ["culture"],
        "location": Point(*BORDEAUX, srid=4326),
        "contact_email": "books@example.net",
    }
    data.update(overrides)
    return initiative_submit(data=data, submitter_ip="192.0.2.1").initiative


def test_the_moderators_group_exists():
    assert Group.objects.filter(name="moderators").exists()


def test_the_queue_requires_a_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("initiatives:login"))


def test_the_queue_is_forbidden_to_a_user_outside_the_group(client):
    client.force_login(User.objects.create_user("outsider", password="x" * 20))
    assert client.get(QUEUE).status_code == 403


def test_the_queue_lists_pending_submissions_and_revisions(moderator_client):
    submission = submit()
    published = make_initiative(name="Ancien nom")
    initiative_edit(
        initiative=published,
        data={"name": "Nom proposé", "contact_email": published.contact_email},
    )
    page = moderator_client.get(QUEUE).content.decode()
    assert submission.name in page
    assert "Nom proposé" in page
    assert "books@example.net" not in page  # moderators do not need the holder's address


def test_a_moderator_approves_in_bulk(moderator_client):
    first, second = submit(), submit(name="Deuxième boîte")
    response = moderator_client.post(
        QUEUE, {"action": "approve", "submission": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    statuses = set(
        Initiative.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "publication_status", flat=True
        )
    )
    assert statuses == {PublicationStatus.PUBLISHED}


def test_after_approval_it_is_in_the_api_and_on_the_map(moderator_client, client):
    submission = submit(name="Boîte à livres approuvée")
    moderator_client.post(QUEUE, {"action": "approve", "submission": [submission.pk]})
    listing = client.get("/api/v1/initiatives/", {"page_size": 1000}).json()
    assert submission.pk in [feature["id"] for feature in listing["features"]]
    assert "books@example.net" not in str(listing)


def test_rejecting_needs_a_reason(moderator_client):
    submission = submit()
    moderator_client.post(QUEUE, {"action": "reject", "submission": [submission.pk]})
    assert Initiative.objects.get(pk=submission.pk).publication_status == "pending"


def test_a_rejection_sends_the_reason_and_erases_the_contact(
    moderator_client, django_capture_on_commit_callbacks, mailoutbox
):
    submission = submit()
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            QUEUE,
            {"action": "reject", "submission": [submission.pk], "reason": "Hors sujet."},
        )
    rejected = Initiative.objects.get(pk=submission.pk)
    assert rejected.publication_status == PublicationStatus.REJECTED
    assert rejected.contact_email == ""
    assert rejected.private_token_hash == ""
    assert mailoutbox[-1].to == ["books@example.net"]
    assert "Hors sujet." in mailoutbox[-1].body


def test_approving_a_revision_publishes_its_values_and_keeps_it(moderator_client):
    published = make_initiative(name="Ancien nom")
    revision = initiative_edit(
        initiative=published, data={"name": "Nom proposé", "contact_email": "a@example.net"}
    )
    moderator_client.post(QUEUE, {"action": "approve", "revision": [revision.pk]})
    assert Initiative.objects.get(pk=published.pk).name == "Nom proposé"
    kept = Revision.objects.get(pk=revision.pk)
    assert kept.status == RevisionStatus.APPROVED
    assert kept.decided_by.username == "modo"


def test_possible_duplicates_are_near_with_a_similar_name_or_share_the_website():
    existing = make_initiative(name="Repair café des Chartrons", lonlat=(-0.5790, 44.8379))
    far = make_initiative(name="Repair café des Chartrons", lonlat=(-0.60, 44.90))
    same_site = make_initiative(name="Autre chose", website="https://rc.example.org/")
    submission = submit(
        name="Repair Café Chartrons",
        website="https://rc.example.org/",
        location=Point(*BORDEAUX, srid=4326),
    )
    found = set(possible_duplicates(initiative=submission).values_list("pk", flat=True))
    assert existing.pk in found
    assert same_site.pk in found
    assert far.pk not in found


def test_the_queue_shows_possible_duplicates_beside_a_submission(moderator_client):
    existing = make_initiative(name="Boîte à livres du quai", lonlat=(-0.5791, 44.8378))
    submission = submit()
    page = moderator_client.get(QUEUE).content.decode()
    assert f'value="{submission.pk}:{existing.pk}"' in page


def test_merging_fills_the_target_and_archives_the_submission(moderator_client):
    target = make_initiative(name="Boîte à livres du quai", description="")
    submission = submit(description="Ouverte tous les jours.", website="https://b.example.org/")
    moderator_client.post(QUEUE, {"merge": f"{submission.pk}:{target.pk}"})
    target.refresh_from_db()
    submission.refresh_from_db()
    assert target.description == "Ouverte tous les jours."
    assert target.website == "https://b.example.org/"
    assert target.name == "Boîte à livres du quai"  # filled, never overwritten
    assert submission.publication_status == PublicationStatus.ARCHIVED
    assert submission.merged_into == target
    revision = target.revisions.get()
    assert revision.origin == "merge"
    assert revision.status == RevisionStatus.APPROVED


def test_merge_service_records_only_the_filled_fields(moderator):
    target = make_initiative(name="Cible", address="1 rue du Port")
    submission = submit(address="2 rue du Port", description="Texte.")
    revision = initiative_merge(submission=submission, target=target, moderator=moderator)
    assert revision.values == {"description": "Texte."}
