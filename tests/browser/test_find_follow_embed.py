"""Residents find, follow and embed, in Chromium: search on a phone with no map tiles, the
embed framed by another origin, following a territory by e-mail, and every public page
within a phone's width."""

import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
OTHER_ORIGIN_PORT = 8129
TILES = re.compile(r"https?://[^/]*tile[^/]*/.*")
ATOM = "{http://www.w3.org/2005/Atom}"
# The radar's pages compute their analyses on a cold cache: give them time.
SLOW_PAGE_MS = 180_000


def block_tiles(page):
    page.route(TILES, lambda route: route.abort())


def wait_for_map(page):
    page.wait_for_function("() => document.querySelector('#map').dataset.loaded !== undefined")


def test_a_resident_searches_on_a_phone_with_no_map_tiles(site, phone_page, axe, screenshot):
    page = phone_page
    block_tiles(page)
    page.goto(site.url + "/")
    wait_for_map(page)

    search = page.get_by_label("Rechercher", exact=True)
    more = page.locator("details.more-filters")
    # On a phone the search and the map come first; the other filters are folded away.
    assert more.get_attribute("open") is None
    assert search.bounding_box()["y"] < page.locator("#map").bounding_box()["y"]
    assert (
        page.locator("#map").bounding_box()["y"] < page.locator("#list-title").bounding_box()["y"]
    )

    total = page.locator("#map").get_attribute("data-loaded")
    search.fill("jardin partage")
    search.press("Enter")
    page.wait_for_function("() => new URL(location).searchParams.get('q') === 'jardin partage'")
    page.wait_for_function(
        "() => { const n = document.querySelector('#list-title').textContent.match(/\\d+/);"
        " const loaded = document.querySelector('#map').dataset.loaded;"
        f" return n && loaded !== '{total}' && n[0] === loaded; }}"
    )
    on_map = int(page.locator("#map").get_attribute("data-loaded"))
    listed = int(re.search(r"\d+", page.locator("#list-title").inner_text()).group())
    assert 0 < on_map == listed
    names = page.locator(".initiatives li > a").all_inner_texts()
    assert names and all("jardin" in name.lower() for name in names[:5])
    assert "no-tiles" in page.locator("#map").get_attribute("class")  # tiles never came

    # The folded filters open from the keyboard.
    page.locator("details.more-filters > summary").focus()
    page.keyboard.press("Enter")
    assert more.get_attribute("open") is not None
    assert axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "13a-search-phone-360")


def test_the_search_and_place_work_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(site.url + "/")
    page.get_by_label("Commune ou intercommunalité").select_option(label="Bordeaux")
    page.get_by_label("Rechercher", exact=True).fill("AMAP")
    page.get_by_role("button", name="Rechercher").click()
    assert "territory=33063" in page.url and "q=AMAP" in page.url
    names = page.locator(".initiatives li > a").all_inner_texts()
    assert names and all("amap" in name.lower() for name in names)
    page.get_by_role("link", name=names[0]).click()
    page.get_by_role("link", name="Retour à la carte").click()
    assert "territory=33063" in page.url and "q=AMAP" in page.url
    context.close()


def test_the_search_at_1366(site, browser, axe, screenshot):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    block_tiles(page)
    page.goto(site.url + "/?q=repair")
    wait_for_map(page)
    assert page.locator("details.more-filters").get_attribute("open") is not None
    assert axe(page) == []
    screenshot(page, "13a-search-1366")
    context.close()


@pytest.fixture
def other_origin(tmp_path):
    """A page of another origin (another port), as a municipality's website."""
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(OTHER_ORIGIN_PORT), "-b", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield tmp_path, f"http://127.0.0.1:{OTHER_ORIGIN_PORT}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_webmaster_copies_the_snippet_and_another_site_frames_it(
    site, page, other_origin, axe, screenshot
):
    folder, origin = other_origin
    block_tiles(page)
    page.goto(site.url + "/integrer/")
    page.get_by_label("Territoire montré").select_option(label="Bègles")
    page.get_by_label("Alimentation").check()
    page.get_by_label("Hauteur du cadre, en pixels").fill("600")
    page.get_by_role("button", name="Afficher le code").click()
    snippet = page.get_by_role("textbox", name="Code à coller dans votre page").input_value()
    assert 'height="600"' in snippet and "territory=33039" in snippet
    assert axe(page) == []
    screenshot(page, "13a-embed-builder-1280")

    (folder / "mairie.html").write_text(
        "<!DOCTYPE html><html lang='fr'><head><title>Mairie</title></head><body>"
        f"<h1>Site de la mairie</h1>{snippet}"
        f"<iframe id='not-embeddable' title='x' src='{site.url}/'></iframe></body></html>"
    )
    for _attempt in range(30):  # the other origin's server starts
        try:
            page.goto(f"{origin}/mairie.html")
            break
        except Exception:
            page.wait_for_timeout(200)
    frame = page.frame_locator("iframe[src*='/integrer/carte/']")
    links = frame.locator(".initiatives li > a")
    links.first.wait_for()
    assert links.first.get_attribute("target") == "_blank"
    assert frame.get_by_role("link", name="Ajouter une initiative").get_attribute("target") == (
        "_blank"
    )
    assert "Licence Ouverte" in frame.locator("footer").inner_text()
    embed = next(f for f in page.frames if "/integrer/carte/" in f.url)
    embed.wait_for_function("() => document.querySelector('#map').dataset.loaded !== undefined")
    assert int(embed.locator("#map").get_attribute("data-loaded")) > 0
    # Any other page of the site refuses to be framed.
    blocked = page.frame_locator("#not-embeddable")
    assert blocked.locator("#map").count() == 0
    screenshot(page, "13a-embed-framed-1280")


def test_the_embed_page_itself_is_accessible_at_360_and_1366(site, browser, axe, screenshot):
    for width in (360, 1366):
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
        page = context.new_page()
        block_tiles(page)
        page.goto(site.url + "/integrer/carte/?territory=33063")
        wait_for_map(page)
        assert axe(page) == []
        assert context.cookies() == []
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        screenshot(page, f"13a-embed-map-{width}")
        context.close()


def test_the_embed_map_draws_the_shared_tiles_reachable_from_the_keyboard(site, page):
    block_tiles(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site.url + "/integrer/carte/?territory=33063")
    wait_for_map(page)
    # The project's tiles, filtered on the territory, as on the public map; not the API.
    assert any("/tiles/initiatives/" in url and "territory=33063" in url for url in requested)
    assert not any("/api/v1/initiatives/" in url for url in requested)
    shown = int(page.locator("#map").get_attribute("data-loaded"))
    heading = page.locator("#list-title").inner_text()
    assert shown == int(re.search(r"\d+", heading.replace("\u202f", "")).group())
    assert "sur la carte" in page.locator("#map-status").inner_text()
    # Tab reaches the markers; each has a name; a group opens with Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('leaflet-marker-icon')"):
            break
    else:
        pytest.fail("no marker reachable with Tab")
    single = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
    for _ in range(12):
        name = page.evaluate(
            "() => document.activeElement.getAttribute('aria-label')"
            " || document.activeElement.getAttribute('title')"
        )
        assert name, "a marker without a name"
        if single.count():
            break
        page.keyboard.press("Enter")
        page.wait_for_timeout(1500)
        page.locator(".leaflet-marker-icon").first.focus()
    single.first.focus()
    page.keyboard.press("Enter")
    # The popup's link opens the initiative outside the frame.
    popup_link = page.locator(".leaflet-popup-content h3 a")
    assert popup_link.get_attribute("target") == "_blank"
    assert re.match(r"https?://[^/]+/initiatives/\d+/$", popup_link.get_attribute("href"))


def _shell(site, code: str) -> str:
    """The last line the code prints (the shell may print its own lines before)."""
    return site.manage("shell", "-c", code).strip().splitlines()[-1]


def test_a_resident_follows_a_commune_confirms_and_unsubscribes(site, page, axe, screenshot):
    email = f"lecteur-{uuid.uuid4().hex[:8]}@example.net"
    page.goto(site.url + "/radar/territoire/33039/", timeout=SLOW_PAGE_MS)
    page.get_by_role("link", name=re.compile("Suivre Bègles par courriel")).click()
    assert axe(page) == []
    screenshot(page, "13a-follow-1280")
    page.get_by_label("Votre adresse e-mail").fill(email)
    page.get_by_role("button", name="Suivre par courriel").click()
    assert page.get_by_role("heading", name="Vérifiez votre boîte de réception").is_visible()

    lookup = (
        "from radar.models import Subscription; from radar import subscriptions as s;"
        f"x = Subscription.objects.get(email={email!r});"
    )
    page.goto(_shell(site, lookup + "print(s.confirm_url(x))"))
    page.get_by_role("button", name="Oui, je confirme mon abonnement").click()
    assert page.get_by_role("heading", name="Abonnement confirmé").is_visible()
    assert _shell(site, lookup + "print(x.confirmed_at is not None)") == "True"
    assert axe(page) == []

    page.goto(_shell(site, lookup + "print(s.unsubscribe_url(x))"))
    assert axe(page) == []
    page.get_by_role("button", name="Me désabonner").click()
    assert page.get_by_role("heading", name="Désabonnement effectué").is_visible()
    count = "from radar.models import Subscription;"
    assert (
        _shell(site, count + f"print(Subscription.objects.filter(email={email!r}).count())") == "0"
    )


def test_the_feed_is_offered_and_is_atom(site, page):
    page.goto(site.url + "/radar/territoire/33063/", timeout=SLOW_PAGE_MS)
    href = page.locator("link[rel=alternate][type='application/atom+xml']").get_attribute("href")
    response = page.request.get(site.url + href)
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body())
    assert feed.tag == f"{ATOM}feed"
    assert len(feed.findall(f"{ATOM}entry")) > 0


# What sticks out, to say why a page is too wide.
WIDEST_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > 360.5)
  .map((e) => `${e.tagName}.${e.className}#${e.id}:${Math.round(e.getBoundingClientRect().right)}`)
  .slice(0, 6)"""

PUBLIC_PAGES = [
    "/",
    "/?q=jardin&territory=243300316",
    "/contribuer/",
    "/radar/",
    "/radar/territoire/33063/",
    "/radar/territoire/33039/suivre/",
    "/radar/connexion/",
    "/moderation/connexion/",
    "/open-data/",
    "/integrer/",
    "/integrer/carte/",
    "/ogc/",
    "/ogc/collections",
]


def test_no_public_page_is_wider_than_a_phone(site, phone_page):
    page = phone_page
    block_tiles(page)
    first_id = page.request.get(site.url + "/api/v1/initiatives/?page_size=1").json()
    pages = [*PUBLIC_PAGES, f"/initiatives/{first_id['features'][0]['id']}/"]
    too_wide = {}
    for path in pages:
        page.goto(site.url + path, timeout=SLOW_PAGE_MS)
        page.wait_for_load_state("load")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 360:
            too_wide[path] = (width, page.evaluate(WIDEST_ELEMENTS))
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(site.url + "/open-data/")
    page.screenshot(path=str(ARTIFACTS / "13a-open-data-360.png"), full_page=True)
    assert too_wide == {}


NEW_PAGES = ["/integrer/", "/radar/territoire/33039/suivre/"]


@pytest.mark.parametrize("width", [360, 1366])
def test_the_new_pages_are_accessible_at_both_widths(site, browser, axe, screenshot, width):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()
    block_tiles(page)
    first = page.request.get(site.url + "/api/v1/initiatives/?page_size=1").json()
    detail = f"/initiatives/{first['features'][0]['id']}/?q=tiers"
    for path in [*NEW_PAGES, detail]:
        page.goto(site.url + path, timeout=SLOW_PAGE_MS)
        assert axe(page) == [], path
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, path
        name = path.strip("/").split("?")[0].replace("/", "-") or "home"
        screenshot(page, f"13a-{name}-{width}")
    page.get_by_role("link", name="Retour à la carte").click()
    assert page.url.endswith("/?q=tiers#initiative-list")
    page.goto(site.url + "/radar/territoire/33039/suivre/")
    page.get_by_label("Votre adresse e-mail").fill(f"axe-{width}@example.net")
    page.get_by_role("button", name="Suivre par courriel").click()
    assert axe(page) == []
    context.close()
