"""The open-data and OGC pages as a reuser reads them."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path",
    [
        "/open-data/",
        "/ogc/?f=html",
        "/ogc/collections?f=html",
        "/ogc/collections/initiatives/items?f=html",
    ],
)
def test_the_reusers_pages_have_no_serious_accessibility_violation(site, page, axe, path):
    page.goto(site.url + path)

    assert axe(page) == []


def test_the_data_page_links_every_download(site, page):
    page.goto(site.url + "/open-data/")

    for name in ("initiatives.geojson", "initiatives.csv", "territories.geojson"):
        link = page.locator(f"a[href$='{name}']").first
        assert link.is_visible()
        response = page.request.get(site.url + link.get_attribute("href"))
        assert response.ok
