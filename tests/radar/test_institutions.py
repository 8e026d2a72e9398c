import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative
from radar import services
from radar.models import Follow, InstitutionMembership
from radar.reports.news import whats_new
from territories.models import Territory
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


PASSWORD = "a-long-officer-passphrase"


def test_a_member_logs_in_and_lands_on_the_institution_page(client, member):
    member.set_password(PASSWORD)
    member.save()
    response = client.post(reverse("radar:login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("radar:institution")
    assert not member.is_staff


def test_following_a_territory_is_idempotent(client, member, institution, bordeaux):
    client.force_login(member)
    for _ in range(2):
        response = client.post(reverse("radar:follow"), {"territory": "33063"})
        assert response.status_code == 302
    assert list(
        Follow.objects.filter(institution=institution).values_list("territory__code", flat=True)
    ) == ["33063"]


def test_an_unknown_territory_code_is_refused_politely(client, member, institution):
    client.force_login(member)
    response = client.post(
        reverse("radar:follow"),
        {"territory": "nope"},
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "Unknown territory code." in response.content.decode()
    assert not Follow.objects.filter(institution=institution).exists()


def test_unfollowing_removes_the_territory(client, member, institution, bordeaux):
    services.follow_create(institution=institution, user=member, territory=bordeaux)
    client.force_login(member)
    client.post(reverse("radar:unfollow", args=["33063"]))
    assert not Follow.objects.filter(institution=institution).exists()


def test_whats_new_lists_new_initiatives_and_support_requests_in_followed_territories(
    institution, member, bordeaux
):
    services.follow_create(institution=institution, user=member, territory=bordeaux)
    since = timezone.now()
    new = make_initiative()
    asking = make_initiative(needs=["equipment"])
    elsewhere = make_initiative(lonlat=(-1.1680, 44.6586), needs=["funding"])  # Arcachon
    news = whats_new(institution=institution, since=since)
    assert news.new_initiatives == [new]
    assert news.support_requests == [asking]
    assert elsewhere not in news.new_initiatives + news.support_requests


def test_the_institution_page_shows_news_since_the_last_visit(
    client, member, institution, bordeaux
):
    services.follow_create(institution=institution, user=member, territory=bordeaux)
    membership = InstitutionMembership.objects.get(user=member)
    membership.last_visit_at = timezone.now()
    membership.save()
    asking = make_initiative(needs=["training"])
    client.force_login(member)
    html = client.get(reverse("radar:institution")).content.decode()
    assert asking.name in html
    membership.refresh_from_db()
    assert membership.last_visit_at > asking.created_at
    assert asking.name not in client.get(reverse("radar:institution")).content.decode()


def test_the_digest_is_sent_once_per_period(
    member, institution, bordeaux, mailoutbox, django_capture_on_commit_callbacks
):
    services.follow_create(institution=institution, user=member, territory=bordeaux)
    asking = make_initiative(needs=["premises"])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", stdout=io.StringIO())
    assert [m.to for m in mailoutbox] == [["officer@example.org"]]
    assert asking.name in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", stdout=io.StringIO())
    assert len(mailoutbox) == 1


def test_the_digest_covers_what_happened_since_the_previous_one(
    member, institution, bordeaux, mailoutbox, django_capture_on_commit_callbacks
):
    services.follow_create(institution=institution, user=member, territory=bordeaux)
    InstitutionMembership.objects.filter(user=member).update(
        last_digest_at=timezone.now() - timedelta(days=8)
    )
    Initiative.objects.update(created_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", stdout=io.StringIO())
    assert mailoutbox == []  # nothing new: no empty e-mail


@pytest.mark.django_db
def test_whats_new_shows_the_movement_emerging_in_a_followed_territory(client):
    from django.contrib.auth import get_user_model

    from radar.models import Follow, Institution, InstitutionMembership
    from territories.models import Territory

    libournais = Territory.objects.get(level="epci", code="200070092")
    institution = Institution.objects.create(
        name="CA du Libournais", kind="epci", territory=libournais
    )
    user = get_user_model().objects.create_user("agent.libourne", password="x-secret-123")
    InstitutionMembership.objects.create(institution=institution, user=user)
    Follow.objects.create(institution=institution, territory=libournais)
    client.force_login(user)

    page = client.get(reverse("radar:institution")).content.decode()

    assert 'id="news-emerging"' in page
    assert "Libourne" in page or "Pomerol" in page


def test_whats_new_reads_as_many_queries_for_one_followed_territory_as_for_six(institution, member):
    epcis = list(Territory.objects.filter(level="epci").order_by("code")[:6])
    services.follow_create(institution=institution, user=member, territory=epcis[0])
    whats_new(institution=institution, since=None)  # computes and stores the movements
    with CaptureQueriesContext(connection) as one:
        whats_new(institution=institution, since=None)
    for territory in epcis[1:]:
        services.follow_create(institution=institution, user=member, territory=territory)
    with CaptureQueriesContext(connection) as six:
        news = whats_new(institution=institution, since=None)

    assert len(six) == len(one)
    assert len({tuple(row["location_ids"]) for row in news.emerging}) == len(news.emerging)
