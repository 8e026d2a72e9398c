"""Public reads on a read replica, the rest on the primary (config.db_router).

The "replica" alias is a test mirror of default: a second connection to the test database.
It does not see the test's uncommitted writes, just as a real replica lags behind: which
connection served a request is therefore visible in what it returns."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config import db_router
from initiatives.models import Initiative
from tests.factories import make_initiative


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup):
    """The alias exists before each test's database set-up, so that tests may name it."""
    default = connections["default"].settings_dict
    test = {**default["TEST"], "MIRROR": "default"}
    connections.settings[db_router.REPLICA] = {**default, "TEST": test}
    try:
        yield
    finally:
        connections[db_router.REPLICA].close()
        del connections[db_router.REPLICA]
        del connections.settings[db_router.REPLICA]


@pytest.fixture
def replica():
    return connections[db_router.REPLICA]


BOTH = pytest.mark.django_db(databases=["default", "replica"])


@BOTH
def test_public_reads_go_to_the_replica(client, replica):
    fresh = make_initiative(name="Only on the primary yet")  # uncommitted: not replicated

    with CaptureQueriesContext(replica) as on_replica:
        listed = client.get("/api/v1/initiatives/", {"page_size": 1000}).json()
        detail = client.get(f"/api/v1/initiatives/{fresh.pk}/")

    assert on_replica.captured_queries
    assert fresh.pk not in {f["id"] for f in listed["features"]}
    assert detail.status_code == 404  # the replica has not seen it yet
    assert len(listed["features"]) == Initiative.objects.published().count() - 1


@BOTH
def test_the_moderation_reads_the_primary(client, replica):
    moderator = User.objects.create_user("modo-replica")
    moderator.groups.add(Group.objects.get(name="moderators"))
    client.force_login(moderator)
    pending = make_initiative(status="pending", name="Waiting for moderation")

    with CaptureQueriesContext(replica) as on_replica:
        page = client.get("/moderation/")

    assert page.status_code == 200
    assert pending.name in page.content.decode()
    assert on_replica.captured_queries == []


@BOTH
def test_a_logged_in_user_reads_the_primary_even_on_public_pages(client, replica):
    client.force_login(User.objects.create_user("member-replica"))
    fresh = make_initiative(name="Seen by the primary")

    with CaptureQueriesContext(replica) as on_replica:
        detail = client.get(f"/api/v1/initiatives/{fresh.pk}/")

    assert detail.status_code == 200
    assert on_replica.captured_queries == []


@BOTH
def test_writes_go_to_the_primary(client, replica):
    with CaptureQueriesContext(replica) as on_replica:
        response = client.post(
            "/api/v1/submissions/",
            {"name": "Nouvelle initiative", "short_description": "On partage des outils.",
             "themes": ["repair_reuse"], "lon": -0.5792, "lat": 44.8378,
             "contact_email": "porteur@example.net"},
            content_type="application/json",
        )  # fmt: skip

    assert response.status_code == 201, response.content
    assert on_replica.captured_queries == []
    assert Initiative.objects.filter(name="Nouvelle initiative").exists()


def test_the_router_without_a_request_or_after_a_write_uses_the_primary(replica):
    router = db_router.PrimaryReplicaRouter()
    assert router.db_for_read(Initiative) == "default"  # a task, a command

    token = db_router._on_replica.set(True)
    try:
        assert router.db_for_read(Initiative) == "replica"
        assert router.db_for_read(User) == "default"  # sessions, users: where they are written
        assert router.db_for_write(Initiative) == "default"
        assert router.db_for_read(Initiative) == "default"  # read your writes
    finally:
        db_router._on_replica.reset(token)
    assert router.allow_migrate("replica", "initiatives") is False


def test_without_a_replica_everything_reads_the_primary(monkeypatch):
    monkeypatch.setattr(db_router, "has_replica", lambda: False)
    router = db_router.PrimaryReplicaRouter()
    token = db_router._on_replica.set(True)
    try:
        assert router.db_for_read(Initiative) == "default"
    finally:
        db_router._on_replica.reset(token)
