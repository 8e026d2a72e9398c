"""Retrouver mon lien, the e-mails' ways back to the private page, the confirmation before
erasing."""

import re

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.urls import reverse

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative
from initiatives.services import (
    initiative_approve,
    initiative_merge,
    initiative_submit,
    revision_approve,
    token_hash,
)
from tests.factories import BORDEAUX, make_initiative

pytestmark = pytest.mark.django_db
RECOVER = "/mon-initiative/retrouver/"
SAME_ANSWER = "Si une initiative du radar utilise cette adresse"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def submitted(email="seeds@example.net"):
    data = {
        "name": "Grainothèque de Bègles",
        "short_description": "Échange de graines à la médiathèque.",
        "themes": ["food"],
        "location": Point(*BORDEAUX, srid=4326),
        "contact_email": email,
    }
    return initiative_submit(data=data, submitter_ip="192.0.2.1")


def link_in(body: str) -> str:
    return re.search(r"http://\S+/mon-initiative/(?!retrouver)[\w-]+/", body).group(0)


def test_the_page_is_reachable_and_in_french(client):
    response = client.get(reverse("initiatives:recover-link"))
    assert response.status_code == 200
    assert "Retrouver mon lien privé" in response.content.decode()


def test_a_known_address_gets_a_new_working_link_and_the_old_one_stops(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    result = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RECOVER, {"email": "  SEEDS@example.net "})
    assert response.status_code == 200
    assert SAME_ANSWER in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["seeds@example.net"]
    link = link_in(mailoutbox[0].body)
    initiative = Initiative.objects.get(pk=result.initiative.pk)
    assert initiative.private_token_hash == token_hash(link.rstrip("/").rsplit("/", 1)[1])
    assert client.get(reverse("initiatives:private-link", args=[result.token])).status_code == 302
    assert client.get("/mon-initiative/").status_code == 403  # the old link opens nothing
    client.get(link.removeprefix("http://127.0.0.1:8000").removeprefix("http://testserver"))
    assert client.get("/mon-initiative/").status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mailoutbox):
    submitted()
    known = client.post(RECOVER, {"email": "seeds@example.net"}).content.decode()
    unknown = client.post(RECOVER, {"email": "nobody@example.net"})
    assert unknown.status_code == 200
    assert SAME_ANSWER in unknown.content.decode()

    def without_token(page: str) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)

    assert without_token(known) == without_token(unknown.content.decode())
    assert all(m.to != ["nobody@example.net"] for m in mailoutbox)


def test_a_rejected_or_merged_initiative_gets_no_link(client, mailoutbox, moderator=None):
    result = submitted()
    Initiative.objects.filter(pk=result.initiative.pk).update(
        publication_status=PublicationStatus.ARCHIVED
    )
    client.post(RECOVER, {"email": "seeds@example.net"})
    assert mailoutbox == []


def test_a_bad_address_gets_a_field_error_and_sends_nothing(client, mailoutbox):
    response = client.post(RECOVER, {"email": "pas une adresse"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Saisissez une adresse e-mail" in page
    assert 'aria-invalid="true"' in page
    assert mailoutbox == []


def test_requests_are_rate_limited_per_client(client, settings):
    settings.LINK_RECOVERY_RATE_LIMIT = "2/hour"
    for _attempt in range(2):
        assert client.post(RECOVER, {"email": "a@example.net"}).status_code == 200
    refused = client.post(RECOVER, {"email": "b@example.net"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"


def test_one_address_gets_a_bounded_number_of_links(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.LINK_RECOVERY_PER_ADDRESS_LIMIT = "2/day"
    submitted()
    for address in ("192.0.2.10", "192.0.2.11", "192.0.2.12"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(RECOVER, {"email": "seeds@example.net"}, REMOTE_ADDR=address)
        assert response.status_code == 200
    assert len(mailoutbox) == 2


def test_approval_and_revision_approval_mail_the_holder_with_the_recovery_page(
    mailoutbox, django_capture_on_commit_callbacks
):
    result = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        initiative_approve(initiative=result.initiative, moderator=None)
    assert len(mailoutbox) == 1
    approval = mailoutbox[0]
    assert approval.subject == "« Grainothèque de Bègles » est maintenant sur la carte"
    assert f"/initiatives/{result.initiative.pk}/" in approval.body
    assert "/mon-initiative/retrouver/" in approval.body
    revision = result.initiative.revisions.create(values={"name": "Grainothèque"})
    with django_capture_on_commit_callbacks(execute=True):
        revision_approve(revision=revision, moderator=None)
    assert "/mon-initiative/retrouver/" in mailoutbox[1].body


def test_a_merge_mails_the_submitter_with_the_page_it_joined(
    mailoutbox, django_capture_on_commit_callbacks
):
    target = make_initiative(name="Grainothèque de la médiathèque")
    result = submitted()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        initiative_merge(submission=result.initiative, target=target, moderator=None)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["seeds@example.net"]
    assert "Grainothèque de la médiathèque" in mailoutbox[0].body
    assert f"/initiatives/{target.pk}/" in mailoutbox[0].body


def test_the_erase_confirmation_says_what_is_erased(client):
    result = submitted()
    client.get(reverse("initiatives:private-link", args=[result.token]))
    page = client.post("/mon-initiative/", {"action": "withdraw"}).content.decode()
    assert "Retirer « Grainothèque de Bègles » et effacer vos données" in page
    assert "votre adresse e-mail" in page
    assert "offre de soutien" not in page  # none received: not listed
    assert "modification proposée" not in page
    assert Initiative.objects.filter(pk=result.initiative.pk).exists()
