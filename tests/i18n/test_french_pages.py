"""Every page a person can open, rendered in French, read for English that leaked in: raw codes,
booleans, statistical jargon, untranslated sentences, and "(s)" plurals."""

import html
import re

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative
from initiatives.services import initiative_edit, initiative_submit
from radar.models import Institution, InstitutionMembership
from territories.models import Territory
from tests.factories import BORDEAUX

pytestmark = pytest.mark.django_db

# Known leaks: each was once on a French page.
LEAKS = [
    r"\(s\)",
    r"\bTrue\b",
    r"\bFalse\b",
    r"\bNone\b",
    r"\bchi2\b",
    r"cramers_v",
    r"fisher_monte_carlo",
    r"\(phi\)",
    r"simplified by",
    r"not stated",
    r"\bsignificant\b",
    r"[Ww]hite zones?\b",
    r"per 10,000",
    r"\binhabitants\b",
    r"Zoom (in|out)",
    r"Close popup",
    r"Source : (resident|demo)\b",
    r"\bpremises\b",
    r"\bvolunteers\b",
    r"\bpay_what_you_can\b",
    r"\bmulti_stakeholder\b",
    r"\bno_pattern\b",
]


def visible_text(page: str) -> str:
    """What a person reads or hears: text outside scripts and styles, and the attributes
    that screen readers announce."""
    # Scripts and styles are not read; <code> shows codes on purpose (the open-data page
    # documents each code beside its label).
    page = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.S)
    spoken = re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(text + " " + " ".join(spoken))


def leaks_in(page: str) -> list[str]:
    text = visible_text(page)
    found = []
    for pattern in LEAKS:
        for match in re.finditer(pattern, text):
            start = max(match.start() - 40, 0)
            found.append(f"{pattern!r}: …{text[start : match.end() + 40]!r}…")
    return found


def _some(**filters) -> Initiative:
    return Initiative.objects.filter(publication_status=PublicationStatus.PUBLISHED, **filters)[0]


def public_pages() -> list[str]:
    commune = Territory.objects.filter(level="commune", code="33063").first()
    epci = Territory.objects.filter(level="epci").order_by("code").first()
    pages = [
        "/",
        "/?page=2",
        "/?theme=food",
        "/contribuer/",
        "/mon-initiative/retrouver/",
        "/radar/",
        "/radar/?level=commune",
        "/radar/?level=commune&min_population=500&radius_km=3",
        "/radar/?min_population=abc&radius_km=-1",
        "/radar/connexion/",
        "/moderation/connexion/",
        "/open-data/",
        "/page-qui-n-existe-pas/",
        f"/radar/territoire/{commune.code}/",
        f"/radar/territoire/{epci.code}/",
        "/radar/territoire/33/",
        f"/initiatives/{_some(is_synthetic=True).pk}/",
        f"/initiatives/{_some(is_synthetic=False).pk}/",
    ]
    return pages


def test_every_public_page_reads_as_french(client):
    problems = {}
    for url in public_pages():
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        found = leaks_in(response.content.decode())
        if found:
            problems[url] = found
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_the_pages_behind_a_login_or_a_private_link_read_as_french(client):
    result = initiative_submit(
        data={
            "name": "Grainothèque de Bègles",
            "short_description": "Échange de graines.",
            "themes": ["food"],
            "location": Point(*BORDEAUX, srid=4326),
            "contact_email": "seeds@example.net",
            "needs": ["premises", "volunteers"],
            "reciprocity": False,
        },
        submitter_ip="192.0.2.1",
    )
    published = _some(is_synthetic=True)
    Initiative.objects.filter(pk=published.pk).update(contact_email="holder@example.net")
    published.refresh_from_db()
    initiative_edit(
        initiative=published,
        data={
            "name": published.name,
            "short_description": published.short_description,
            "themes": published.themes,
            "location": published.location,
            "needs": ["premises"],
            "step_free_access": not published.step_free_access,
        },
    )
    problems = {}
    client.get(f"/mon-initiative/{result.token}/")
    for url, method, data in (
        ("/mon-initiative/", "get", None),
        ("/mon-initiative/", "post", {"action": "withdraw"}),
        ("/mon-initiative/retrouver/", "post", {"email": "x@example.net"}),
        ("/mon-initiative/retrouver/", "post", {"email": "pas une adresse"}),
        ("/mon-initiative/jeton-perime/", "get", None),
    ):
        response = getattr(client, method)(url, data, follow=True)
        if found := leaks_in(response.content.decode()):
            problems[f"{method} {url}"] = found
    moderator = User.objects.create_user("modo", password="x" * 20)
    moderator.groups.add(Group.objects.get(name="moderators"))
    client.force_login(moderator)
    for url in ("/moderation/", f"/initiatives/{result.initiative.pk}/", "/radar/espace/"):
        if found := leaks_in(client.get(url).content.decode()):
            problems[url] = found
    member = User.objects.create_user("mairie", password="x" * 20)
    institution = Institution.objects.create(
        name="Ville de Bordeaux",
        kind="commune",
        territory=Territory.objects.get(level="commune", code="33063"),
    )
    InstitutionMembership.objects.create(institution=institution, user=member)
    client.force_login(member)
    for url in ("/radar/espace/", "/radar/", f"/radar/initiatives/{published.pk}/soutenir/"):
        if found := leaks_in(client.get(url).content.decode()):
            problems[url] = found
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_the_leak_detector_catches_what_it_should():
    assert leaks_in("<p>3 élément(s) modéré(s)</p>")
    assert leaks_in("<td>False</td>")
    assert leaks_in('<td>0,12 (cramers_v_corrected)</td><div aria-label="Zoom in"></div>')
    assert not leaks_in("<p>Association faible (coefficient phi)</p><script>x(s)</script>")
