"""The public map as a visitor sees it in Chromium."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_the_map_renders_the_published_initiatives(site, page):
    page.goto(site.url + "/")
    expect_loaded(page)
    assert page.locator(".leaflet-marker-icon").count() > 0
    assert page.get_by_role("heading", name=re.compile("Initiatives collaboratives")).is_visible()


def test_a_popup_opens_with_the_initiative_and_its_escaped_text(site, page):
    page.goto(site.url + "/?theme=third_place")
    expect_loaded(page)
    marker = None
    for _ in range(15):  # as a person would: click clusters until a single marker shows
        marker = single_marker_in_view(page)
        if marker is not None:
            break
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(500)
    name = marker.get_attribute("title")
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    link = popup.get_by_role("link", name=name)
    assert link.is_visible()
    detail = link.get_attribute("href")  # /initiatives/<id>/
    api = page.request.get(f"{site.url}/api/v1{detail}").json()
    assert api["properties"]["short_description"] in popup.inner_text()


def test_the_list_shows_the_same_initiatives_as_the_map(site, page):
    page.goto(site.url + "/?theme=housing")
    expect_loaded(page)
    on_map = int(page.locator("#map").get_attribute("data-loaded"))
    heading = page.locator("#list-title").inner_text()
    assert int(re.search(r"\d+", heading).group()) == on_map
    listed = page.locator(".initiatives li").count()
    assert listed == min(on_map, 50)


def test_filters_update_the_map_and_list_without_reloading(site, page):
    page.goto(site.url + "/")
    expect_loaded(page)
    total = int(page.locator("#map").get_attribute("data-loaded"))
    page.evaluate("() => { window.__sameDocument = true; }")
    page.get_by_label("Mobilité").check()
    page.wait_for_function(f"() => document.querySelector('#map').dataset.loaded != '{total}'")
    filtered = int(page.locator("#map").get_attribute("data-loaded"))
    assert 0 < filtered < total
    assert page.evaluate("() => window.__sameDocument") is True
    assert "theme=mobility" in page.url


def test_the_page_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/?theme=third_place")
    heading = page.locator("#list-title").inner_text()
    total = page.request.get(f"{site.url}/api/v1/initiatives/?theme=third_place").json()["count"]
    assert int(re.search(r"\d+", heading).group()) == total
    first = page.locator(".initiatives li a").first.inner_text()
    page.get_by_role("link", name=re.compile("Suivante|Next")).click()
    assert "page=2" in page.url
    assert page.locator(".initiatives li a").first.inner_text() != first
    context.close()


def test_the_map_page_has_no_serious_accessibility_violation(site, page, axe, screenshot):
    page.goto(site.url + "/")
    expect_loaded(page)
    screenshot(page, "home-desktop")
    assert axe(page) == []


def test_the_interface_switches_to_english(site, page):
    page.goto(site.url + "/")
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name=re.compile("Collaborative initiatives")).is_visible()


def expect_loaded(page):
    page.wait_for_function("() => document.querySelector('#map').dataset.loaded !== undefined")


def single_marker_in_view(page):
    """The first unclustered marker whose centre lies inside the visible map, if any."""
    index = page.evaluate(
        """() => {
            const box = document.querySelector('#map').getBoundingClientRect();
            const single = '.leaflet-marker-icon:not(.marker-cluster)';
            const markers = [...document.querySelectorAll(single)];
            return markers.findIndex((m) => {
                const r = m.getBoundingClientRect();
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const inX = x > box.left + 20 && x < box.right - 20;
                return inX && y > box.top + 20 && y < box.bottom - 20;
            });
        }"""
    )
    if index < 0:
        return None
    return page.locator(".leaflet-marker-icon:not(.marker-cluster)").nth(index)


@pytest.mark.parametrize(
    "path",
    ["/", "/contribuer/", "/radar/", "/radar/territoire/33063/", "/open-data/", "/api/docs/"],
)
def test_no_page_breaks_its_content_security_policy(site, page, path):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(site.url + path)
    page.wait_for_load_state("networkidle")

    assert violations == []
