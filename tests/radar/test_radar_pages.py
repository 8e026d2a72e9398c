import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse

from radar.models import SupportOffer
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def test_the_radar_page_is_public_and_lists_initiatives_without_javascript(
    client, django_assert_max_num_queries
):
    client.get(reverse("radar:home"))  # computes and caches the analyses
    with django_assert_max_num_queries(18):  # the page, plus the cache's data fingerprints
        response = client.get(reverse("radar:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="radar-map"' in html
    assert 'id="table-initiatives"' in html
    assert 'id="table-asking"' in html
    assert "js/radar.js" in html
    assert response.context["initiative_count"] == 523


def test_the_radar_filters_by_theme_and_year(client):
    initiative = make_initiative(themes=["housing"], start_date="2019-05-01")
    response = client.get(reverse("radar:home"), {"theme": "housing", "until": "2019"})
    names = [i.name for i in response.context["initiatives"]]
    assert initiative.name in names
    assert all(i.start_date.year <= 2019 for i in response.context["initiatives"])
    later = client.get(reverse("radar:home"), {"theme": "housing", "since": "2020"})
    assert initiative.name not in [i.name for i in later.context["initiatives"]]


def test_the_asking_table_holds_only_initiatives_with_needs(client):
    asking = make_initiative(needs=["premises"], themes=["culture"])
    make_initiative(needs=[], themes=["culture"])
    response = client.get(reverse("radar:home"), {"theme": "culture"})
    rows = list(response.context["asking"])
    assert asking in rows
    assert all(row.needs for row in rows)


def test_the_radar_shows_a_support_only_after_the_holders_consent(client, institution):
    initiative = make_initiative(needs=["funding"])
    offer = SupportOffer.objects.create(
        institution=institution,
        initiative=initiative,
        kind="funding",
        message="m",
        status="accepted",
        public_consent=False,
    )
    assert "Ville de Bordeaux" not in client.get(reverse("radar:home")).content.decode()
    offer.public_consent = True
    offer.save()
    assert "Ville de Bordeaux" in client.get(reverse("radar:home")).content.decode()


def test_the_public_support_include_renders_consented_support_only(institution):
    from django.template.loader import render_to_string

    initiative = make_initiative(needs=["funding"])
    SupportOffer.objects.create(
        institution=institution,
        initiative=initiative,
        kind="funding",
        message="m",
        status="accepted",
        public_consent=False,
    )
    assert "Ville de Bordeaux" not in render_to_string(
        "radar/_public_support.html", {"initiative": initiative}
    )
    SupportOffer.objects.filter(initiative=initiative).update(public_consent=True)
    assert "Ville de Bordeaux" in render_to_string(
        "radar/_public_support.html", {"initiative": initiative}
    )


def test_a_territory_profile_compares_with_the_parent_and_the_departement(client, bordeaux):
    response = client.get(reverse("radar:territory", args=["33063"]))
    assert response.status_code == 200
    levels = [row.territory.level for row in response.context["comparison"]]
    assert levels == ["commune", "epci", "departement"]
    html = response.content.decode()
    assert html.count('role="img"') == 4  # the timeline and three bar charts
    assert "@media print" in Path("static/css/radar.css").read_text()


def test_a_profile_lists_the_initiatives_asking_for_support_one_page_at_a_time(client):
    """The département's page at national density would otherwise list thousands."""
    from radar.selectors import initiatives_asking_support
    from territories.models import Territory

    gironde = Territory.objects.get(level="departement", code="33")
    for _ in range(51):
        make_initiative(needs=["volunteers"])
    asking = initiatives_asking_support(territory=gironde).order_by("name", "id")
    total = asking.count()
    assert total > 50
    url = reverse("radar:territory", args=["33"])

    first = client.get(url)
    names = [i.name for i in first.context["asking"]]
    assert names == [i.name for i in asking[:50]]
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' not in first.content.decode()

    pages, seen = -(-total // 50), []
    for number in range(1, pages + 1):
        seen += [i.pk for i in client.get(url, {"page": number}).context["asking"]]
    assert seen == list(asking.values_list("pk", flat=True))
    last = client.get(url, {"page": pages}).content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_an_unknown_territory_is_not_found(client):
    assert client.get(reverse("radar:territory", args=["99999"])).status_code == 404


def test_a_territory_without_initiative_lists_the_nearest_ones_by_distance(client):
    from initiatives.selectors import initiatives_in_territory
    from territories.models import Territory

    empty = next(
        t
        for t in Territory.objects.filter(level="commune").order_by("code")
        if not initiatives_in_territory(territory=t).active().exists()
    )
    response = client.get(reverse("radar:territory", args=[empty.code]))
    nearest = response.context["nearest"]
    assert response.context["white_zone"] is response.context["gap"]["white_zone"]
    assert len(nearest) == 5
    distances = [i.distance_m for i in nearest]
    assert distances == sorted(distances)
    assert nearest[0].name in response.content.decode()


def test_the_figures_export_as_csv(client):
    response = client.get(reverse("radar:territory-csv", args=["33063"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code", "name", "level", "population", "initiatives", "per_10000"]
    assert [row[0] for row in rows[1:4]] == ["33063", rows[2][0], "33"]
    assert rows[1][2] == "commune"


def test_a_profile_says_the_gap_analysis_in_words_when_it_is_available(client, monkeypatch):
    from radar.views import pages

    row = {
        "code": "33063",
        "white_zone": False,
        "cluster": "low",
        "reason": "Few initiatives for the population.",
    }
    monkeypatch.setattr(pages, "gap_of", lambda *, territory: row)
    html = client.get(
        reverse("radar:territory", args=["33063"]), headers={"accept-language": "en"}
    ).content.decode()
    assert "Few initiatives for the population." in html
    assert "significant cluster of territories with few initiatives" in html


def test_the_private_offers_include_links_each_open_offer_to_its_answer(institution):
    from django.template.loader import render_to_string

    initiative = make_initiative(needs=["funding"])
    offer = SupportOffer.objects.create(
        institution=institution, initiative=initiative, kind="funding", message="m"
    )
    html = render_to_string(
        "radar/_private_offers.html", {"initiative": initiative, "token": "s3cr/t"}
    )
    assert f"{reverse('radar:support-answer', args=[offer.pk])}?token=s3cr/t" in html
    assert "Ville de Bordeaux" in html
