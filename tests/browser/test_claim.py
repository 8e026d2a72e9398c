"""Claiming an imported initiative, in Chromium, by label and role: the claimant asks, a
moderator approves, the initiative then has a holder and stops offering the claim."""

import re
import uuid

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "a long moderator password 42"


def in_english(site, page):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site.url}])


def _unclaimed_initiative(site) -> int:
    out = site.manage(
        "shell",
        "-c",
        "from initiatives.models import Initiative;"
        "print(Initiative.objects.published().filter(private_token_hash='', "
        "source='tiers-lieux-2019', claims__isnull=True).order_by('id').first().pk)",
    )
    return int(out.strip().splitlines()[-1])


def _holder(site, pk: int) -> str:
    out = site.manage(
        "shell",
        "-c",
        "from initiatives.models import Initiative;"
        f"i = Initiative.objects.get(pk={pk}); print(i.contact_email, bool(i.private_token_hash))",
    )
    return out.splitlines()[-1].strip()


def _log_in_as_moderator(site, page) -> None:
    username = f"moderator-{uuid.uuid4().hex[:6]}"
    site.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User;"
        f"u = User.objects.create_user({username!r}, password={PASSWORD!r});"
        "u.groups.add(Group.objects.get(name='moderators'))",
    )
    page.goto(site.url + "/moderation/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_holder_claims_an_imported_initiative_and_a_moderator_approves(site, page, axe):
    in_english(site, page)
    pk = _unclaimed_initiative(site)
    page.goto(site.url + f"/initiatives/{pk}/")
    page.get_by_role("link", name="Is this your initiative?").click()
    assert axe(page) == []

    page.get_by_role("button", name="Send the request").click()
    summary = page.get_by_role("alert")
    assert "Please correct the following" in summary.inner_text()
    assert axe(page) == []
    claimant = f"holder-{uuid.uuid4().hex[:6]}@example.net"
    page.get_by_label("Your e-mail address").fill(claimant)
    page.get_by_label("Your role in the initiative").fill("Co-founder")
    page.get_by_label(re.compile("Message to the moderators")).fill("We run this place.")
    page.get_by_role("button", name="Send the request").click()
    assert "A moderator will check your request" in page.get_by_role("status").inner_text()
    assert _holder(site, pk) == "False"  # nothing changes before a moderator agrees (no e-mail)

    _log_in_as_moderator(site, page)
    page.get_by_role("checkbox", name=re.compile(re.escape(claimant))).check()
    page.get_by_role("button", name="Approve").click()
    assert "1 item moderated." in page.get_by_role("status").first.inner_text()

    # The task worker makes the private link and e-mails it.
    site.manage("run_worker", "--batch", "--queue-name", "email", "--no-startup-delay")
    assert _holder(site, pk) == f"{claimant} True"
    page.goto(site.url + f"/initiatives/{pk}/")
    assert page.get_by_role("link", name="Is this your initiative?").count() == 0
    assert claimant not in page.content()
