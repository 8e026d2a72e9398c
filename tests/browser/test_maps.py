"""The maps as a visitor meets them: initiatives from the project's tiles, reachable from the
keyboard, controls in French, and a basemap of our own when the background tiles are blocked."""

import re

import pytest

pytestmark = pytest.mark.browser
BACKGROUND = re.compile(r"tile\.openstreetmap\.org")
# The basemap draws on a canvas; the map element counts the territories it drew.
BASEMAP_DRAWN = "() => Number(document.querySelector('{map}').dataset.basemap || 0) > {count}"


def block_background(page):
    page.route(BACKGROUND, lambda route: route.abort())


def wait_loaded(page, selector="#map"):
    page.wait_for_function(
        f"() => document.querySelector('{selector}').dataset.loaded !== undefined"
    )


def test_the_map_draws_initiatives_from_the_tiles_only(site, page):
    block_background(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site.url + "/")
    wait_loaded(page)
    assert any("/tiles/initiatives/" in url and url.endswith(".json") for url in requested)
    assert not any("/api/v1/initiatives/" in url for url in requested)
    assert page.locator(".leaflet-marker-icon").count() > 0
    shown = int(page.locator("#map").get_attribute("data-loaded"))
    heading = page.locator("#list-title").inner_text()
    assert shown == int(re.search(r"\d+", heading.replace("\u202f", "")).group())


def test_a_keyboard_user_reaches_an_initiative_on_the_map(site, page):
    block_background(page)
    page.goto(site.url + "/?theme=third_place")
    wait_loaded(page)
    # Tab from the top of the page until a marker has the focus: markers are in the tab order.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('leaflet-marker-icon')"):
            break
    else:
        pytest.fail("no marker reachable with Tab")
    for _ in range(12):
        focused = page.evaluate(
            """() => ({ cluster: document.activeElement.classList.contains('marker-cluster'),
                        name: document.activeElement.getAttribute('aria-label')
                              || document.activeElement.getAttribute('title') })"""
        )
        assert focused["name"], "a marker without a name"
        if not focused["cluster"]:
            break
        assert re.search(r"initiatives?", focused["name"])
        page.keyboard.press("Enter")  # zooms on the group
        page.wait_for_timeout(1500)  # the zoom's animation and the new tiles, on a busy machine
        page.locator(".leaflet-marker-icon").first.focus()
    else:
        pytest.fail("the groups never opened up")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    assert popup.get_by_role("link", name=focused["name"]).is_visible()


def test_leaflet_speaks_french_on_french_pages(site, page):
    block_background(page)
    page.goto(site.url + "/?theme=third_place")
    wait_loaded(page)
    assert page.get_by_role("button", name="Zoomer", exact=True).is_visible()
    assert page.get_by_role("button", name="Dézoomer", exact=True).is_visible()
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "contributeurs" in attribution and "contributors" not in attribution
    status = page.locator("#map-status").inner_text()
    assert "sur la carte" in status
    single = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
    for _ in range(10):
        if single.count():
            break
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(600)
    single.first.click()
    assert page.get_by_role("button", name="Fermer la fenêtre").is_visible()


def test_without_background_tiles_the_communes_are_drawn_and_named(site, page, axe, screenshot):
    block_background(page)
    page.goto(site.url + "/")
    wait_loaded(page)
    page.wait_for_function(BASEMAP_DRAWN.format(map="#map", count=0))
    assert "contours des communes" in page.locator("#map-status").inner_text()
    # Zoomed on Bordeaux, the communes carry their names.
    page.locator("#map").focus()
    for _ in range(4):
        page.get_by_role("button", name="Zoomer", exact=True).click()
        page.wait_for_timeout(400)
    page.wait_for_function("() => document.querySelectorAll('.commune-label').length > 0")
    screenshot(page, "home-without-tiles")
    assert axe(page) == []


def test_a_resident_places_the_pin_by_the_commune_shapes_alone(site, page):
    block_background(page)
    page.goto(site.url + "/contribuer/")
    page.wait_for_function(BASEMAP_DRAWN.format(map="#place-map", count=10))
    box = page.locator("#place-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.locator("#place-map").get_attribute("data-placed") == "true"
    lon = float(page.locator("#id_lon").input_value())
    lat = float(page.locator("#id_lat").input_value())
    assert -1.3 < lon < 0.4 and 44.1 < lat < 45.6


def test_a_radar_filter_moves_figures_not_shapes(site, page):
    block_background(page)
    # The radar's first visit computes its analyses: slow on a busy machine.
    page.goto(site.url + "/radar/", timeout=90_000)
    page.wait_for_function(
        "() => document.querySelector('#radar-map').dataset.ready === 'true'", timeout=90_000
    )
    assert page.locator("path.leaflet-interactive").count() > 0
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request))
    page.get_by_label("Alimentation").check()
    page.wait_for_function(
        "() => document.querySelector('#radar-status').textContent.includes('type d’initiative')"
        " || document.querySelector('#radar-status').textContent.includes('choisi')"
    )
    page.wait_for_timeout(500)
    gaps = [r for r in fetched if "/api/v1/radar/gaps/" in r.url]
    assert gaps and all("geometry=false" in r.url for r in gaps)
    assert all(r.sizes()["responseBodySize"] < 200_000 for r in gaps)
    assert page.locator("path.leaflet-interactive").count() > 0


def test_the_detail_page_shows_where_the_initiative_is_without_tiles(site, page, axe):
    block_background(page)
    page.goto(site.url + "/")
    page.locator(".initiatives li a").first.click()
    page.wait_for_function(BASEMAP_DRAWN.format(map="#detail-map", count=0))
    assert page.locator("#detail-map .leaflet-marker-icon").count() == 1
    assert page.locator("#detail-map .leaflet-basemap-pane canvas").count() == 1
    assert axe(page) == []


def test_a_zoom_leaves_no_stale_marker_behind_a_radar_layer_switch(site, page):
    block_background(page)
    page.goto(site.url + "/radar/", timeout=90_000)
    page.wait_for_function(
        "() => document.querySelector('#radar-map').dataset.ready === 'true'", timeout=90_000
    )
    markers = page.locator("#radar-map .leaflet-marker-icon")
    page.get_by_role("button", name="Zoomer", exact=True).click()
    page.wait_for_timeout(2500)  # the new zoom's tiles, drawn a slice at a time
    shown = markers.count()
    assert shown > 0
    # The previous zoom's markers are gone for good: switching the layer off and on again
    # brings back what is in view now, not them.
    layer = page.get_by_label("Initiatives", exact=True)
    layer.uncheck()
    assert markers.count() == 0
    layer.check()
    page.wait_for_timeout(300)
    assert markers.count() == shown
