"""The database down: 503 with Retry-After, a short page or a JSON error, and the service
back by itself as soon as the database answers again.

The outage is real: the request's connection points at a port where nothing listens (the
test's own connection, holding the test transaction, is put back afterwards)."""

import json
import socket
from contextlib import contextmanager

import pytest
from django.db import close_old_connections, connections
from django.test import Client

from tests.factories import BORDEAUX

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the probe is closed: nothing listens there


def connection_to(port):
    """A new connection to the test database, at `port`, kept alive as in production."""
    settings_dict = {**connections["default"].settings_dict, "PORT": str(port)}
    return connections["default"].__class__(settings_dict, alias="default")


@contextmanager
def requests_use(connection):
    original = connections["default"]
    connections["default"] = connection
    try:
        yield connection
    finally:
        connections["default"] = original


@contextmanager
def database_at(port):
    """Requests use a fresh connection to the test database, at `port`."""
    connection = connection_to(port)
    with requests_use(connection):
        yield connection
    connection.close()


def real_port() -> str:
    return connections["default"].settings_dict["PORT"] or "5432"


def served(client, url) -> int:
    """A request as a server runs it: Django closes unusable or expired connections when a
    request starts and ends (the test client leaves that out)."""
    close_old_connections()
    status = client.get(url).status_code
    close_old_connections()
    return status


@pytest.fixture
def browser():
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")


@pytest.mark.parametrize(
    "url", ["/", "/radar/", "/contribuer/", "/open-data/", "/radar/territoire/33063/"]
)
def test_a_page_answers_a_short_translated_503_page(browser, url):
    with database_at(closed_port()):
        response = browser.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert "Réessayez dans quelques instants" in page


def test_the_page_is_in_english_for_an_english_reader():
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    with database_at(closed_port()):
        response = client.get("/")

    assert response.status_code == 503
    assert "Service temporarily unavailable" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/initiatives/",
        "/api/v1/territories/",
        "/api/v1/radar/gaps/?level=commune",
        "/ogc/collections/initiatives/items",
    ],
)
def test_the_api_and_ogc_api_answer_a_json_503(browser, url):
    with database_at(closed_port()):
        response = browser.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {
        "detail": "Le service est momentanément indisponible. Réessayez dans quelques instants."
    }


def test_a_submission_answers_503_when_the_database_is_down(browser):
    body = json.dumps(
        {
            "name": "Jardin partagé",
            "short_description": "On jardine ensemble.",
            "themes": ["food"],
            "location": {"type": "Point", "coordinates": list(BORDEAUX)},
            "contact_email": "garden@example.net",
        }
    )
    with database_at(closed_port()):
        response = browser.post("/api/v1/submissions/", body, content_type="application/json")

    assert response.status_code == 503


def test_a_logged_in_visitor_gets_503_when_the_session_cannot_be_read(browser):
    """The session and the user are read by middleware, before any view."""
    browser.cookies["sessionid"] = "a" * 32
    with database_at(closed_port()):
        response = browser.get("/moderation/")

    assert response.status_code == 503


def test_a_login_attempt_answers_503_not_a_lockout_or_a_500(browser):
    with database_at(closed_port()):
        response = browser.post("/admin/login/", {"username": "x", "password": "y"})

    assert response.status_code == 503


def test_the_service_comes_back_by_itself_when_the_database_answers_again(browser):
    port = real_port()
    with database_at(closed_port()) as connection:
        assert served(browser, "/api/v1/initiatives/") == 503
        # The database is back: the same process, the same connection object.
        connection.settings_dict["PORT"] = port
        assert served(browser, "/api/v1/initiatives/") == 200
        assert served(browser, "/") == 200


def test_a_connection_lost_in_a_database_restart_is_replaced_without_an_error(browser):
    connection = connection_to(real_port())
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    with requests_use(connection):
        assert served(browser, "/api/v1/initiatives/") == 200
    backend = connection.connection.info.backend_pid  # kept alive between requests
    with connections["default"].cursor() as cursor:  # as a restart would
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])

    with requests_use(connection):
        assert served(browser, "/api/v1/initiatives/") == 200
    assert connection.connection.info.backend_pid != backend
    connection.close()
