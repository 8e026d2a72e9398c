"""Query budgets: every page and every list endpoint reads what it needs in a fixed number
of queries, whatever the number of rows (no query per row). Each budget is the count
measured on the demo (523 published initiatives, 538 communes), after a first request that
computes and caches the radar's analyses; a new query per row would blow it at once.

The radar's cached results cost three queries per result read: two for the data fingerprint
(radar.reports.cache.data_fingerprint) and one for the cache."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from initiatives.models import Initiative
from radar.models import Institution, InstitutionMembership
from territories.models import Territory
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

BORDEAUX = "33063"


def _budget(client, url, budget, django_assert_max_num_queries, *, status=200):
    client.get(url)  # computes and caches what the radar's analyses need
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == status, url
    return response


@pytest.fixture
def moderator(client):
    user = User.objects.create_user("moderator", "moderator@example.org", None)
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    for n in range(3):  # a queue with several submissions, one of them with a duplicate
        make_initiative(name=f"Jardin partagé {n}", status="pending")
    client.force_login(user)
    return user


@pytest.fixture
def member(client):
    bordeaux = Territory.objects.get(level="commune", code=BORDEAUX)
    institution = Institution.objects.create(
        name="Ville de Bordeaux", kind="commune", territory=bordeaux
    )
    institution.followed_territories.add(
        *Territory.objects.filter(level="commune", code__in=[BORDEAUX, "33281", "33318"])
    )
    user = User.objects.create_user("officer", "officer@example.org", None)
    InstitutionMembership.objects.create(institution=institution, user=user)
    client.force_login(user)
    return user


# name: (address, budget). The radar's analyses cost three queries each (see above). A page
# with a map adds two: the data versions (its tile URLs) and the served extent (cached).
PAGES = {
    # the count, the page, the communes and EPCI of the place filter, and the maps'
    # configuration (the data version, the served extent)
    "home": (lambda: reverse("initiatives:home"), 5),
    "list page, filtered, page 2": (lambda: reverse("initiatives:home") + "?theme=food&page=2", 5),
    # the same, and the place resolved
    "searched in a place": (
        lambda: reverse("initiatives:home") + "?q=jardin partagé&territory=243300316",
        6,
    ),
    "embed builder": (lambda: reverse("initiatives:embed"), 1),
    # the territory, the count, the page of the list, and the map's configuration
    "embed map": (lambda: reverse("initiatives:embed-map") + f"?territory={BORDEAUX}", 5),
    # the territory, new initiatives, requests, the emerging movements (cached) and geometry
    "territory feed": (lambda: reverse("radar:territory-feed", args=[BORDEAUX]), 8),
    "follow a territory": (lambda: reverse("radar:subscribe", args=[BORDEAUX]), 1),
    "initiative detail": (
        lambda: reverse("initiatives:detail", args=[Initiative.objects.published().first().pk]),
        4,  # the initiative, its support, the small map's configuration (2)
    ),
    "contribute": (lambda: reverse("initiatives:contribute"), 3),
    # 4 analyses, the published count, the table of initiatives, the asking ones, the offers
    "radar": (lambda: reverse("radar:home"), 16),
    # the territory (and its parent), 3 counts, 4 analyses, the signals' table, the list
    "territory profile": (lambda: reverse("radar:territory", args=[BORDEAUX]), 19),
    "open data": (lambda: reverse("opendata:index"), 2),
    "ogc items": (lambda: reverse("ogc:items", args=["initiatives"]), 2),
    "ogc territory items": (lambda: reverse("ogc:items", args=["territories"]), 2),
    "api initiatives": (lambda: reverse("api:initiative-list"), 2),
    "api initiatives, 1000 a page": (
        lambda: reverse("api:initiative-list") + "?page_size=1000",
        2,
    ),
    "api territories": (lambda: reverse("api:territory-list"), 2),
    "api territories, 1000 a page": (
        lambda: reverse("api:territory-list") + "?page_size=1000",
        2,
    ),
    "api territory": (lambda: reverse("api:territory-detail", args=[BORDEAUX]), 1),
    "api gaps": (lambda: reverse("api:radar-gaps"), 4),  # the analysis, the geometries
    "api gaps, epci": (lambda: reverse("api:radar-gaps") + "?level=epci", 4),
    "api emerging": (lambda: reverse("api:radar-emerging"), 3),
    "api signals": (lambda: reverse("api:radar-signals") + f"?territory={BORDEAUX}", 4),
    "api insights": (lambda: reverse("api:radar-insights"), 3),
    "api trends": (lambda: reverse("api:radar-trends") + "?level=epci", 4),
}


@pytest.mark.parametrize("name", PAGES)
def test_a_page_or_list_endpoint_keeps_its_query_budget(
    client, name, django_assert_max_num_queries
):
    url, budget = PAGES[name]
    _budget(client, url(), budget, django_assert_max_num_queries)


def test_the_moderation_queue_keeps_its_query_budget(
    client, moderator, django_assert_max_num_queries
):
    # session and user, the queue, its count, possible duplicates, pending revisions
    # The menu asks which spaces the person may open (moderation, institution): two queries.
    response = _budget(client, reverse("initiatives:moderation"), 12, django_assert_max_num_queries)
    assert "Jardin partagé 2" in response.content.decode()


def test_the_institution_space_keeps_its_query_budget(
    client, member, django_assert_max_num_queries
):
    url = reverse("radar:institution")
    _budget(client, url, 15, django_assert_max_num_queries)
    # Following more territories costs no more queries.
    institution = member.institutions.get()
    institution.followed_territories.add(
        *Territory.objects.filter(level="commune").order_by("code")[:8]
    )
    _budget(client, url, 15, django_assert_max_num_queries)


def test_a_longer_page_costs_no_more_queries(client, django_assert_max_num_queries):
    """The budgets do not grow with the rows: 60 more published initiatives, same count."""
    for n in range(60):
        make_initiative(name=f"Atelier vélo {n}", themes=["mobility"])
    for url, budget in (
        (reverse("initiatives:home") + "?theme=mobility", 5),
        (reverse("api:initiative-list") + "?page_size=1000", 2),
        (reverse("ogc:items", args=["initiatives"]) + "?limit=1000", 2),
    ):
        _budget(client, url, budget, django_assert_max_num_queries)
