"""Holders who lost their link, holders who erase, moderators who look closely: in Chromium, in
French (the default language), by label and role, with axe-core and screenshots at 360 px and
1366 px."""

import json
import re
import uuid

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "a long moderator password 42"
SIZES = {"phone": (360, 740), "desktop": (1366, 900)}


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


def submit(site, page, name: str, email: str, **extra) -> dict:
    body = {
        "name": name,
        "short_description": "Créée pour un test dans le navigateur.",
        "themes": ["culture"],
        "lon": -0.5792,
        "lat": 44.8378,
        "contact_email": email,
        **extra,
    }
    response = page.request.post(
        site.url + "/api/v1/submissions/",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 201, response.text()
    return response.json()


def deliver(site):
    """Run the task worker until the queued e-mails are sent (to files, see conftest)."""
    site.manage("run_worker", "--batch", "--queue-name", "email", "--no-startup-delay")


def no_serious_violation(page, axe):
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["target"]) for v in violations]


def fits_the_width(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide at {viewport} px"


def shots(page, screenshot, name):
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        fits_the_width(page)
        screenshot(page, f"{name}-{size}")


def test_a_holder_who_lost_the_link_gets_a_new_one(site, phone_page, axe, screenshot):
    page = phone_page
    name = unique("Grainothèque")
    email = f"holder-{uuid.uuid4().hex[:8]}@example.net"
    old_link = submit(site, page, name, email)["private_link"]
    page.goto(site.url + "/contribuer/")
    page.get_by_role("link", name="Retrouver mon lien").click()
    assert page.get_by_role("heading", name="Retrouver mon lien privé").is_visible()
    no_serious_violation(page, axe)
    shots(page, screenshot, "recover-link")
    # A typo first: a clear error on the field, nothing sent.
    page.get_by_label("L’adresse e-mail donnée avec l’initiative").fill("holder at example")
    page.get_by_role("button", name="M’envoyer un nouveau lien").click()
    assert page.get_by_role("alert").get_by_role("link").first.is_visible()
    assert (
        page.get_by_label("L’adresse e-mail donnée avec l’initiative").get_attribute("aria-invalid")
        == "true"
    )
    no_serious_violation(page, axe)
    page.get_by_label("L’adresse e-mail donnée avec l’initiative").fill(email.upper())
    page.get_by_role("button", name="M’envoyer un nouveau lien").click()
    assert (
        "Si une initiative du radar utilise cette adresse"
        in page.get_by_role("status").inner_text()
    )
    no_serious_violation(page, axe)
    shots(page, screenshot, "recover-link-sent")
    deliver(site)
    mails = [m for m in site.mails_to(email) if "nouveau lien privé" in m]
    assert len(mails) == 1, site.mails_to(email)
    new_link = re.search(r"http://\S+/mon-initiative/(?!retrouver)[\w-]+/", mails[0]).group(0)
    # The old link now opens a page that says why and leads to a new one.
    page.goto(old_link)
    assert page.get_by_role("heading", name="Ce lien privé ne fonctionne plus").is_visible()
    no_serious_violation(page, axe)
    shots(page, screenshot, "link-invalid")
    page.goto(new_link.replace("http://127.0.0.1:8000", site.url))
    assert page.url == site.url + "/mon-initiative/"
    assert page.get_by_role("heading", name=re.compile(re.escape(name))).is_visible()


def test_an_unknown_address_gets_the_same_answer(site, page):
    page.goto(site.url + "/mon-initiative/retrouver/")
    page.get_by_label("L’adresse e-mail donnée avec l’initiative").fill("personne@example.net")
    page.get_by_role("button", name="M’envoyer un nouveau lien").click()
    assert (
        "Si une initiative du radar utilise cette adresse"
        in page.get_by_role("status").inner_text()
    )
    deliver(site)
    assert site.mails_to("personne@example.net") == []


def test_erasing_asks_for_confirmation_and_says_what_is_erased(site, page, axe, screenshot):
    name = unique("Atelier couture")
    created = submit(site, page, name, f"erase-{uuid.uuid4().hex[:8]}@example.net")
    page.goto(created["private_link"])
    page.get_by_role("button", name="Retirer et effacer mes données…").click()
    heading = page.get_by_role("heading", name=f"Retirer « {name} » et effacer vos données ?")
    assert heading.is_visible()
    listing = page.locator(".erase-list").inner_text()
    assert "votre adresse e-mail" in listing and "position sur la carte" in listing
    no_serious_violation(page, axe)
    shots(page, screenshot, "erase-confirm")
    # Changing one's mind keeps everything.
    page.get_by_role("link", name="Non, garder l’initiative").click()
    assert page.url == site.url + "/mon-initiative/"
    page.get_by_role("button", name="Retirer et effacer mes données…").click()
    page.get_by_role("button", name="Oui, tout retirer et effacer").click()
    assert "effacées" in page.get_by_role("status").first.inner_text()
    page.goto(created["private_link"])
    assert page.get_by_role("heading", name="Ce lien privé ne fonctionne plus").is_visible()


def test_a_moderator_unfolds_an_item_with_everything_in_view(site, page, axe, screenshot):
    name = unique("Repair café du quai")
    submit(
        site,
        page,
        name,
        "repair@example.net",
        description="Tous les samedis, sous la halle.",
        needs=["premises", "volunteers"],
        step_free_access=False,
        languages=["fr", "es"],
    )
    username = f"modo-{uuid.uuid4().hex[:6]}"
    site.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User;"
        f"u = User.objects.create_user({username!r}, password={PASSWORD!r});"
        "u.groups.add(Group.objects.get(name='moderators'))",
    )
    page.goto(site.url + "/moderation/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Se connecter|Connexion")).click()
    menu = page.get_by_role("navigation", name=re.compile("Menu"))
    assert menu.get_by_role("link", name="Modération").is_visible()
    assert menu.get_by_role("link", name="Mon institution").count() == 0
    # No empty button, and the bulk panel sits after the last item, not over it.
    assert page.locator("#moderation-form > button[hidden]").is_hidden()
    last = page.locator(".queue-item").last.bounding_box()
    panel = page.locator("#bulk-actions").bounding_box()
    assert panel["y"] >= last["y"] + last["height"]
    item = page.locator(".queue-item", has=page.get_by_role("checkbox", name=name))
    item.get_by_text(f"Tout sur « {name} »").click()
    body = item.locator(".item-body")
    assert body.get_by_text("Tous les samedis, sous la halle.").is_visible()
    text = body.inner_text()
    for words in ("Locaux, Bénévoles", "non renseigné", "espagnol", "Accès de plain-pied"):
        assert words.lower() in text.lower(), words
    assert "premises" not in text and "False" not in text
    page.wait_for_function(
        "(name) => [...document.querySelectorAll('.mini-map')].some("
        "(m) => m.dataset.name === name && m.dataset.ready === 'true')",
        arg=name,
    )
    assert item.locator(".mini-map .leaflet-marker-icon").count() == 1
    no_serious_violation(page, axe)
    shots(page, screenshot, "moderation-unfolded")
    # The pending item's own page opens for the moderator.
    with page.expect_navigation():
        item.get_by_role("link", name=re.compile("telle qu’elle serait publiée")).click()
    assert page.get_by_role("heading", name=re.compile(re.escape(name))).is_visible()
    assert "seuls les modérateurs" in page.locator("main").inner_text()


def test_the_radar_s_white_zone_thresholds_change_the_map_and_say_why_a_layer_is_empty(
    site, page, axe
):
    # Computing the analyses the first time takes a while on a small machine.
    page.set_default_timeout(240_000)
    page.goto(site.url + "/radar/")
    page.wait_for_function("() => document.querySelector('#radar-map').dataset.ready === 'true'")
    notes = page.locator("#layer-notes")
    assert "Aucune zone blanche" in notes.inner_text()
    status = page.locator("#radar-status")
    assert "0 zone blanche" in status.inner_text()
    page.get_by_label("Manques par").select_option("commune")
    page.get_by_label("Zone blanche à partir de (habitants)").fill("500")
    page.get_by_label("…et sans initiative à moins de (km)").fill("3")
    page.get_by_label("…et sans initiative à moins de (km)").press("Enter")
    page.wait_for_function("() => location.search.includes('radius_km=3')")
    # The task worker computes the analysis for these new thresholds; the page then has them.
    site.manage("run_worker", "--batch", "--queue-name", "radar", "--no-startup-delay")
    page.goto(page.url)
    page.wait_for_function("() => document.querySelector('#radar-map').dataset.ready === 'true'")
    assert "Aucune zone blanche" not in notes.inner_text()
    assert re.search(r"[1-9][\d\u202f\u00a0]* zones blanches", status.inner_text())
    assert page.get_by_label("Zone blanche à partir de (habitants)").input_value() == "500"
    no_serious_violation(page, axe)
