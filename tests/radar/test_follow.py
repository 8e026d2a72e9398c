"""Following a territory without an account: the Atom feed and the e-mail subscription
(double opt-in, one-click unsubscribe, the digest)."""

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative
from radar.models import Subscription
from tests.factories import make_initiative

ATOM = "{http://www.w3.org/2005/Atom}"
BEGLES = (-0.5475, 44.8086)

pytestmark = pytest.mark.django_db


def _feed(client, code="33039"):
    response = client.get(reverse("radar:territory-feed", args=[code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_the_feed_is_atom_with_the_new_initiatives_and_requests_of_the_territory(client):
    new = make_initiative(name="Boîte à livres du Dorat", lonlat=BEGLES)
    asking = make_initiative(name="Atelier couture de Bègles", needs=["premises"], lonlat=BEGLES)
    elsewhere = make_initiative(name="Boîte à livres des Chartrons")

    feed = _feed(client)

    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Ce qui pousse — Bègles · Radar territorial"
    assert feed.find(f"{ATOM}id") is not None and feed.find(f"{ATOM}updated") is not None
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert "Nouvelle initiative : Boîte à livres du Dorat" in titles
    assert "Cherche un soutien : Atelier couture de Bègles" in titles
    assert not any(elsewhere.name in title for title in titles)
    for entry in feed.iter(f"{ATOM}entry"):  # what a valid Atom entry needs
        assert entry.find(f"{ATOM}id").text and entry.find(f"{ATOM}updated").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
    links = {entry.find(f"{ATOM}link").get("href") for entry in feed.iter(f"{ATOM}entry")}
    assert any(link.endswith(f"/initiatives/{new.pk}/") for link in links)
    assert any(link.endswith(f"/initiatives/{asking.pk}/") for link in links)


def test_the_feed_shows_nothing_personal_nor_pending(client):
    make_initiative(name="En attente à Bègles", status="pending", lonlat=BEGLES)
    make_initiative(name="Publiée à Bègles", contact_email="secret@example.net", lonlat=BEGLES)
    Subscription.objects.create(email="reader@example.net", territory_id=_begles_id())

    content = client.get(reverse("radar:territory-feed", args=["33039"])).content.decode()

    assert "Publiée à Bègles" in content
    assert "En attente" not in content
    assert "@example.net" not in content


def test_an_unknown_territory_has_no_feed(client):
    assert client.get(reverse("radar:territory-feed", args=["99999"])).status_code == 404


def _begles_id():
    from territories.selectors import territory_by_code

    return territory_by_code(code="33039").pk


def _link(body: str, name: str) -> str:
    return re.search(rf"http://\S+/radar/suivre/{name}/\S+/", body).group(0)


def _subscribe(client, capture, email="lecteur@example.net"):
    with capture(execute=True):
        return client.post(reverse("radar:subscribe", args=["33039"]), {"email": email})


def test_subscribing_sends_a_confirmation_link_and_confirming_takes_a_button(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = _subscribe(client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "Vérifiez votre boîte" in response.content.decode()
    subscription = Subscription.objects.get(email="lecteur@example.net")
    assert subscription.confirmed_at is None
    [mail] = mailoutbox
    assert mail.to == ["lecteur@example.net"]
    assert mail.subject == "Confirmez que vous voulez suivre Bègles"
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _link(mail.body, "confirmer").split("://", 1)[1].split("/", 1)[1]

    client.get("/" + path)  # opening the link (or a mail scanner) confirms nothing
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    client.post("/" + path)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


def test_the_answer_is_the_same_whether_the_address_was_subscribed_or_not(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    first = _subscribe(client, django_capture_on_commit_callbacks)
    Subscription.objects.update(confirmed_at=timezone.now())
    again = _subscribe(client, django_capture_on_commit_callbacks)

    assert _without_csrf(first) == _without_csrf(again)
    assert Subscription.objects.count() == 1
    assert mailoutbox[1].subject == "Vous suivez déjà Bègles"


def _without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_bad_address_is_refused_on_its_field_and_nothing_is_stored(client, mailoutbox):
    response = client.post(reverse("radar:subscribe", args=["33039"]), {"email": "pas-une-adresse"})

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Saisissez une adresse e-mail valide."]
    assert Subscription.objects.count() == 0 and mailoutbox == []


def test_subscription_requests_are_rate_limited(client, django_capture_on_commit_callbacks):
    for number in range(10):
        _subscribe(client, django_capture_on_commit_callbacks, f"r{number}@example.net")
    response = _subscribe(client, django_capture_on_commit_callbacks, "r11@example.net")

    assert response.status_code == 429
    assert Subscription.objects.count() == 10


def test_a_forged_or_expired_confirmation_link_confirms_nothing(client):
    response = client.post(reverse("radar:subscription-confirm", args=["forged:token"]))
    assert response.status_code == 404


def test_the_digest_goes_to_confirmed_subscribers_with_a_one_click_unsubscribe(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    Initiative.objects.update(created_at=timezone.now() - timedelta(days=30))
    confirmed = Subscription.objects.create(
        email="lectrice@example.net",
        territory_id=_begles_id(),
        confirmed_at=timezone.now() - timedelta(days=1),
    )
    Subscription.objects.create(email="pas-confirme@example.net", territory_id=_begles_id())
    new = make_initiative(name="Grainothèque de Bègles", lonlat=BEGLES)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", stdout=io.StringIO())  # once per period

    [mail] = mailoutbox
    assert mail.to == ["lectrice@example.net"]
    assert mail.subject == "Quoi de neuf — Bègles"
    assert new.name in mail.body
    unsubscribe = _link(mail.body, "arreter")
    assert mail.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"

    # One click: the mail client POSTs without a CSRF token (RFC 8058).
    path = "/" + unsubscribe.split("://", 1)[1].split("/", 1)[1]
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=confirmed.pk).exists()
    assert client.post(path).status_code == 200  # twice: still a plain answer


def test_nothing_new_sends_no_digest(mailoutbox, django_capture_on_commit_callbacks):
    Initiative.objects.update(created_at=timezone.now() - timedelta(days=30))
    Subscription.objects.create(
        email="lectrice@example.net", territory_id=_begles_id(), confirmed_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", stdout=io.StringIO())
    assert mailoutbox == []


def test_expired_unconfirmed_requests_are_erased_by_the_digest(db):
    old = Subscription.objects.create(email="vieux@example.net", territory_id=_begles_id())
    Subscription.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))

    call_command("send_digest", stdout=io.StringIO())

    assert not Subscription.objects.filter(pk=old.pk).exists()


def test_the_profile_offers_the_feed_and_the_subscription(client):
    page = client.get(reverse("radar:territory", args=["33039"])).content.decode()

    assert 'href="/radar/territoire/33039/flux.atom"' in page
    assert 'href="/radar/territoire/33039/suivre/"' in page
