"""The admin's Leaflet widget, as an administrator uses it, under the site's CSP."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_an_administrator_edits_an_initiative_on_a_map(site, page):
    site.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.filter(username='root').exists() or "
        "User.objects.create_superuser('root', 'root@example.net', 'a-long-admin-passphrase')",
    )
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(site.url + "/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill("root")
    page.get_by_label("Mot de passe").fill("a-long-admin-passphrase")
    page.get_by_role("button", name=re.compile("Connexion|Se connecter")).click()
    page.goto(site.url + "/admin/initiatives/initiative/1/change/")

    page.locator("#id_location-map.leaflet-container").wait_for()
    assert page.locator("#id_location-map .leaflet-marker-icon").count() == 1
    assert violations == []
