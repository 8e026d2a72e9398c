"""The radar as an institution officer and an initiative's holder use it, in Chromium."""

import json
import re

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "a long radar password 42"
SETUP = """
import json
from django.contrib.auth.models import User
from initiatives.models import Initiative
from initiatives.services import token_hash
from radar.models import Institution, InstitutionMembership
from territories.models import Territory
user, _ = User.objects.get_or_create(username="radar-officer", defaults={"email": "o@example.org"})
user.set_password(%(password)r)
user.save()
institution, _ = Institution.objects.get_or_create(
    name="Mairie de Bordeaux (test)", kind="commune",
    territory=Territory.objects.get(level="commune", code="33063"))
InstitutionMembership.objects.get_or_create(institution=institution, user=user)
initiative = Initiative.objects.published().active().exclude(needs=[]).order_by("id").first()
initiative.private_token_hash = token_hash("holder-secret-token")
initiative.contact_email = "holder-radar@example.net"
initiative.save(update_fields=["private_token_hash", "contact_email"])
print(json.dumps({"id": initiative.id, "name": initiative.name}))
"""
LAST_OFFER = (
    "from radar.models import SupportOffer; print(SupportOffer.objects.order_by('-id').first().id)"
)


@pytest.fixture(scope="module")
def journey(site):
    output = site.manage("shell", "-c", SETUP % {"password": PASSWORD})
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def english(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def no_serious_violations(violations) -> list:
    """The violations as (rule, offending HTML) pairs, readable in a failure message."""
    return [(v["id"], [n["html"][:200] for n in v["nodes"][:3]]) for v in violations]


def wait_ready(page):
    page.wait_for_function("() => document.querySelector('#radar-map').dataset.ready === 'true'")


def log_in(page, site):
    page.goto(site.url + "/radar/connexion/")
    page.get_by_label("Username").fill("radar-officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/radar/espace/"))


def test_an_officer_browses_the_radar_and_offers_support_that_shows_after_consent(
    site, english, browser, journey, axe, screenshot
):
    page = english
    log_in(page, site)
    page.goto(site.url + "/radar/")
    wait_ready(page)
    assert page.locator("#radar-status").inner_text().strip()
    total = int(page.locator("#radar-map").get_attribute("data-loaded"))
    assert total > 0

    # Layers switch on and off.
    assert page.locator(".leaflet-marker-icon").count() > 0
    page.get_by_role("checkbox", name="Initiatives", exact=True).uncheck()
    assert page.locator(".leaflet-marker-icon").count() == 0
    page.get_by_role("checkbox", name="Initiatives asking for support").check()
    assert page.locator("path.leaflet-interactive").count() > 0
    page.get_by_role("checkbox", name="Initiatives", exact=True).check()
    page.get_by_role("checkbox", name="Hot-spot trends over the years").check()
    assert "with a hot-spot trend" in page.locator("#radar-status").inner_text()

    # A filter updates the map and the tables without reloading the page.
    page.evaluate("() => { window.__sameDocument = true; }")
    page.get_by_label("Food").check()
    page.wait_for_function(
        f"() => document.querySelector('#radar-map').dataset.loaded !== '{total}'"
    )
    assert 0 < int(page.locator("#radar-map").get_attribute("data-loaded")) < total
    assert page.evaluate("() => window.__sameDocument") is True
    assert "theme=food" in page.url
    # One theme chosen: the gap layers are recomputed for that theme only, by the worker.
    site.manage("run_worker", "--batch", "--queue-name", "radar", "--no-startup-delay")
    status = page.locator("#radar-status")
    page.wait_for_function(
        "() => document.querySelector('#radar-status').textContent.includes('chosen kind')"
    )
    assert "white zones" in status.inner_text()

    # Tables sort from the keyboard.
    header = page.locator("#table-initiatives th").first
    header.get_by_role("button").focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"

    assert no_serious_violations(axe(page)) == []
    screenshot(page, "radar-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot(page, "radar-360")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A territory profile.
    page.goto(site.url + "/radar/territoire/33063/")
    assert page.get_by_role("heading", name=re.compile("Bordeaux")).first.is_visible()
    assert page.get_by_role("img", name=re.compile("Actor types")).is_visible()
    assert no_serious_violations(axe(page)) == []
    screenshot(page, "radar-territory-1280")

    # An offer of support.
    page.goto(site.url + f"/radar/initiatives/{journey['id']}/soutenir/")
    page.get_by_label("Premises").check()
    page.get_by_label("Message").fill("Une salle le mardi soir. Contact : mairie@example.org")
    page.get_by_role("button", name="Send the offer").click()
    page.wait_for_url(re.compile(r"/radar/espace/"))
    assert page.get_by_role("status").filter(has_text="offer was sent").is_visible()
    page.goto(site.url + "/radar/")
    assert "Mairie de Bordeaux (test)" not in page.content()

    # The holder accepts through the fresh private link of the offer's e-mail, and agrees to
    # show it. The link the holder had before no longer works.
    offer_id = site.manage("shell", "-c", LAST_OFFER).strip().splitlines()[-1]
    holder_context = browser.new_context(locale="en-GB")
    holder = holder_context.new_page()
    old = holder.goto(site.url + f"/radar/soutiens/{offer_id}/repondre/?token=holder-secret-token")
    assert old.status == 404
    site.manage("run_worker", "--batch", "--queue-name", "email", "--no-startup-delay")
    mail = [m for m in site.mails_to("holder-radar@example.net") if "Mairie de Bordeaux" in m][-1]
    assert "the one you received" not in mail
    holder.goto(re.search(r"http://\S+/mon-initiative/[\w-]+/", mail).group(0))
    holder.get_by_role("link", name=re.compile("Answer")).first.click()
    holder.get_by_label("Accept this support").check()
    holder.get_by_label(re.compile("Show this support publicly")).check()
    holder.get_by_role("button", name="Send my answer").click()
    assert "Accepted" in holder.locator("#offer-status").inner_text()
    assert no_serious_violations(axe(holder)) == []
    holder_context.close()

    page.goto(site.url + "/radar/")
    assert page.get_by_text(re.compile("Mairie de Bordeaux \\(test\\)")).is_visible()


def test_the_radar_says_what_matters_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(site.url + "/radar/?theme=third_place")
    assert page.get_by_role("heading", name=re.compile(r"\d+ initiatives")).is_visible()
    assert page.locator("#table-initiatives tbody tr").count() > 0
    assert page.get_by_role("heading", name="Initiatives asking for support").is_visible()
    context.close()
