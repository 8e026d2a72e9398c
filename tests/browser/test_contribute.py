"""Residents add initiatives, a moderator approves them, holders edit them: in Chromium, by
label and role. The pages are used in English (msgids) so that these tests do not depend on
the state of the French catalogue; the language switch itself is tested in test_home.py."""

import json
import re
import uuid

import pytest

pytestmark = pytest.mark.browser
MODERATOR_PASSWORD = "a long moderator password 42"


def in_english(site, page):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site.url}])


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


def submit_through_the_api(site, page, name: str) -> dict:
    body = {
        "name": name,
        "short_description": "Created for a browser test.",
        "themes": ["culture"],
        "lon": -0.5792,
        "lat": 44.8378,
        "contact_email": "browser@example.net",
    }
    response = page.request.post(
        site.url + "/api/v1/submissions/",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 201, response.text()
    return response.json()


def public_names(site, page) -> list[str]:
    response = page.request.get(site.url + "/api/v1/initiatives/?page_size=1000")
    names, url = [], site.url + "/api/v1/initiatives/?page_size=1000"
    while url:
        data = page.request.get(url).json()
        names += [feature["properties"]["name"] for feature in data["features"]]
        url = data.get("next")
    assert response.ok
    return names


def tab_to(page, locator, limit=80):
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    target = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("(element) => document.activeElement === element", target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_a_resident_submits_by_clicking_the_map(site, page):
    in_english(site, page)
    page.goto(site.url + "/")
    page.get_by_role("main").get_by_role("link", name="Add an initiative").click()
    name = unique("Jardin du clic")
    page.get_by_label("Name of the initiative").fill(name)
    page.get_by_label("What it does, in one or two sentences").fill("A shared garden.")
    page.get_by_role("region", name=re.compile("Map to choose the place")).click()
    assert "Place chosen on the map" in page.get_by_role("status").inner_text()
    page.get_by_role("group", name="Themes").get_by_label(re.compile("Food —")).check()
    page.get_by_label("Your e-mail address").fill("garden@example.net")
    page.get_by_role("button", name="Send the initiative").click()
    assert page.get_by_role("heading", name="Thank you!").is_visible()
    assert "/mon-initiative/" in page.locator("#private-link").inner_text()
    assert name not in public_names(site, page)


def test_a_resident_submits_by_keyboard_only_on_a_phone(site, phone_page):
    page = phone_page
    in_english(site, page)
    page.goto(site.url + "/contribuer/")
    name = unique("Repair café au clavier")
    tab_to(page, page.get_by_label("Name of the initiative"))
    page.keyboard.type(name)
    tab_to(page, page.get_by_label("What it does, in one or two sentences"))
    page.keyboard.type("We repair things together.")
    tab_to(page, page.get_by_role("combobox", name="Commune"))
    page.keyboard.type("Talence (33522)")
    tab_to(page, page.get_by_label(re.compile("Repair & reuse —")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Your e-mail address"))
    page.keyboard.type("keyboard@example.net")
    tab_to(page, page.get_by_role("button", name="Send the initiative"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you!").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_errors_are_summarised_with_links_to_the_fields(site, page):
    in_english(site, page)
    page.goto(site.url + "/contribuer/")
    page.get_by_role("button", name="Send the initiative").click()
    summary = page.get_by_role("alert")
    assert "Please correct the following" in summary.inner_text()
    summary.get_by_role("link", name=re.compile("Name of the initiative")).click()
    assert page.evaluate("() => document.activeElement.id") == "id_name"


def test_a_moderator_approves_and_the_initiative_goes_public(site, page):
    in_english(site, page)
    name = unique("Bibliothèque d'objets")
    created = submit_through_the_api(site, page, name)
    username = f"moderator-{uuid.uuid4().hex[:6]}"
    site.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User;"
        f"u = User.objects.create_user({username!r}, password={MODERATOR_PASSWORD!r});"
        "u.groups.add(Group.objects.get(name='moderators'))",
    )
    page.goto(site.url + "/moderation/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Approve").click()
    assert "1 item moderated." in page.get_by_role("status").first.inner_text()
    names = public_names(site, page)
    assert name in names
    page.goto(site.url + "/")
    page.wait_for_function("() => document.querySelector('#map').dataset.loaded !== undefined")
    assert int(page.locator("#map").get_attribute("data-loaded")) == len(names)
    page.goto(site.url + f"/initiatives/{created['id']}/")
    assert page.get_by_role("heading", name=name).is_visible()


def test_the_holder_edits_through_the_private_link_and_the_revision_waits(site, page):
    in_english(site, page)
    name = unique("Atelier couture")
    created = submit_through_the_api(site, page, name)
    site.manage(
        "shell",
        "-c",
        "from initiatives.models import Initiative;"
        f"Initiative.objects.filter(pk={created['id']}).update(publication_status='published')",
    )
    page.goto(created["private_link"])
    assert page.url == site.url + "/mon-initiative/"
    page.get_by_label("Name of the initiative").fill(name + " (nouveau)")
    page.get_by_role("button", name="Send the changes").click()
    assert "once a moderator has checked them" in page.get_by_role("status").first.inner_text()
    assert page.get_by_text("Your latest changes are waiting for a moderator.").is_visible()
    assert name in public_names(site, page)
    assert name + " (nouveau)" not in public_names(site, page)


@pytest.mark.parametrize("path", ["/", "/contribuer/"])
def test_the_pages_have_no_serious_accessibility_violation(site, page, axe, path):
    page.goto(site.url + path)
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]


def test_the_contribution_errors_have_no_serious_accessibility_violation(site, page, axe):
    page.goto(site.url + "/contribuer/")
    page.get_by_role("button", name=re.compile("Send|Envoyer")).click()
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
