"""Login throttling (django-axes) on every login form: 5 failures for an account or from an
address within 15 minutes lock it out, with a 429 page, until an administrator lifts it or
the 15 minutes have passed."""

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "a long and proper passphrase"
FORMS = ["admin:login", "initiatives:login", "radar:login"]


@pytest.fixture
def staff():
    return User.objects.create_user("camille", password=PASSWORD, is_staff=True)


def attempt(url, username, password, address="192.0.2.10", **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(reverse(url), {"username": username, "password": password})
    return response, client


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", FORMS)
def test_the_right_password_after_five_failures_is_refused_with_a_429_page(url, staff):
    statuses = [attempt(url, "camille", "wrong")[0].status_code for _ in range(5)]
    response, client = attempt(url, "camille", PASSWORD)

    assert statuses == [200, 200, 200, 200, 429]  # the form with its error, then the lockout

    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de tentatives de connexion" in page
    assert "Réessayez dans 15 minutes" in page
    assert not logged_in(client)


@pytest.mark.parametrize("url", FORMS)
def test_four_failures_still_let_the_right_password_in(url, staff):
    for _ in range(4):
        attempt(url, "camille", "wrong")
    response, client = attempt(url, "camille", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_lockout_page_is_translated(staff):
    for _ in range(5):
        attempt("admin:login", "camille", "wrong")
    response, _client = attempt("admin:login", "camille", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")

    assert "Too many failed log-in attempts" in response.content.decode()
    assert response["Retry-After"] == "900"


def test_an_account_is_locked_whatever_the_address(staff):
    for index in range(5):
        attempt("initiatives:login", "camille", "wrong", address=f"192.0.2.{index}")
    response, _client = attempt("initiatives:login", "camille", PASSWORD, address="198.51.100.1")

    assert response.status_code == 429


def test_an_address_is_locked_whatever_the_account(staff):
    for index in range(5):
        attempt("radar:login", f"guess{index}", "wrong", address="203.0.113.9")
    locked, _client = attempt("radar:login", "camille", PASSWORD, address="203.0.113.9")
    elsewhere, _client = attempt("radar:login", "camille", PASSWORD, address="198.51.100.1")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_behind_a_proxy_the_forwarded_client_address_is_counted(settings, staff):
    settings.TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    for index in range(5):
        attempt(
            "admin:login",
            f"guess{index}",
            "wrong",
            address=proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    locked, _c = attempt(
        "admin:login", "camille", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    other, _c = attempt(
        "admin:login", "camille", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert locked.status_code == 429
    assert other.status_code == 302  # the proxy's own address is not locked out


def test_the_lockout_ends_after_15_minutes(staff):
    for _ in range(5):
        attempt("admin:login", "camille", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response, client = attempt("admin:login", "camille", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_an_administrator_lifts_a_lockout_with_a_command(staff):
    for _ in range(5):
        attempt("admin:login", "camille", "wrong")
    call_command("axes_reset_username", "camille", stdout=io.StringIO())
    call_command("axes_reset_ip", "192.0.2.10", stdout=io.StringIO())
    response, _client = attempt("admin:login", "camille", PASSWORD)

    assert response.status_code == 302


def test_an_administrator_sees_and_deletes_lockouts_in_the_admin(staff):
    for _ in range(5):
        attempt("initiatives:login", "camille", "wrong")
    admin = User.objects.create_superuser("root-admin", password=PASSWORD)
    client = Client()
    client.force_login(admin)

    listing = client.get(reverse("admin:axes_accessattempt_changelist"))

    assert listing.status_code == 200
    assert "camille" in listing.content.decode()
