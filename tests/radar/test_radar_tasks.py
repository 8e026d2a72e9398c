"""The radar's results are computed by the task worker, never by a request: a stale result is
served and flagged while its recomputation is queued; a missing one answers 202 Accepted (API)
or says it is being computed (pages); a burst of changes gives one recomputation; a pending
submission changes nothing public."""

import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.tasks import default_task_backend
from django.urls import reverse

from initiatives.models import Initiative
from radar import tasks
from radar.reports import cache as results
from tests.factories import BORDEAUX

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
RECORDING_TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "email", "radar", "imports"],
    }
}


@pytest.fixture
def recorded_tasks(settings):
    """Tasks are recorded, not run: what a request enqueues for the worker."""
    settings.TASKS = RECORDING_TASKS
    return default_task_backend.results


def enqueued(recorded, name: str) -> list:
    return [r for r in recorded if r.task.name == name]


def test_a_stale_result_is_served_and_its_recomputation_enqueued_once(client, recorded_tasks):
    url = reverse("api:radar-insights")
    assert client.get(url).json()["stale"] is False
    edited = Initiative.objects.published().first()
    edited.reciprocity = None
    edited.save()

    first, second = client.get(url), client.get(url)

    assert first.status_code == second.status_code == 200
    assert first.json()["stale"] is True and second.json()["stale"] is True
    [computation] = enqueued(recorded_tasks, "compute_result")
    assert computation.args[0] == "insights"


def test_a_missing_result_answers_202_with_retry_after(client, recorded_tasks):
    response = client.get(
        reverse("api:radar-gaps"), {"level": "epci", "radius_km": 7.5}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 202
    assert response["Retry-After"] == str(results.RETRY_AFTER_SECONDS)
    assert response.json() == {
        "detail": "This result is being computed. Try again in a few seconds."
    }
    [computation] = enqueued(recorded_tasks, "compute_result")
    assert computation.args[0] == "gaps"
    assert computation.args[1]["radius_km"] == 7.5


def test_the_worker_computes_the_missing_result_then_the_api_serves_it(client, recorded_tasks):
    url, query = reverse("api:radar-gaps"), {"level": "epci", "radius_km": 7.5}
    assert client.get(url, query).status_code == 202
    [computation] = enqueued(recorded_tasks, "compute_result")

    computation.task.call(*computation.args)  # what the worker does

    response = client.get(url, query)
    assert response.status_code == 200
    assert response.json()["stale"] is False
    assert len(response.json()["features"]) == 28


def test_a_page_without_its_results_says_they_are_being_computed(client, recorded_tasks):
    cache.clear()  # rolled back with the test: the cache lives in the test's database

    response = client.get(reverse("radar:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 202
    assert response["Retry-After"] == str(results.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "<h1>The radar is being computed</h1>" in page
    assert enqueued(recorded_tasks, "compute_result")


def test_the_computing_page_is_in_french_by_default(client, recorded_tasks):
    cache.clear()
    page = client.get(reverse("radar:home")).content.decode()
    assert "<h1>Le radar est en cours de calcul</h1>" in page


@pytest.mark.recomputation
def test_a_pending_submission_changes_nothing_public(
    client, recorded_tasks, django_capture_on_commit_callbacks
):
    tasks.recompute_radar.call()  # the radar is up to date
    before = results.data_fingerprint()
    body = {
        "name": "Atelier vélo solidaire",
        "short_description": "On répare son vélo avec des bénévoles.",
        "themes": ["mobility"],
        "location": {"type": "Point", "coordinates": list(BORDEAUX)},
        "contact_email": "cyclist@example.net",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/submissions/", json.dumps(body), content_type="application/json"
        )
    assert response.status_code == 201

    assert results.data_fingerprint() == before
    assert client.get(reverse("api:radar-insights")).json()["stale"] is False
    assert enqueued(recorded_tasks, "recompute_radar") == []
    assert enqueued(recorded_tasks, "compute_result") == []


@pytest.mark.recomputation
def test_a_burst_of_changes_enqueues_one_recomputation(
    recorded_tasks, settings, django_capture_on_commit_callbacks
):
    settings.RADAR_RECOMPUTE_DELAY_SECONDS = 5
    for initiative in Initiative.objects.published().order_by("pk")[:5]:
        with django_capture_on_commit_callbacks(execute=True):  # five separate commits
            initiative.reciprocity = not initiative.reciprocity
            initiative.save()

    [recomputation] = enqueued(recorded_tasks, "recompute_radar")
    delay = (recomputation.task.run_after - recomputation.enqueued_at).total_seconds()
    assert 4 <= delay <= 5


@pytest.mark.recomputation
def test_the_recomputation_refreshes_the_results_and_a_later_change_schedules_another(
    client, recorded_tasks, django_capture_on_commit_callbacks
):
    edited = Initiative.objects.published().first()
    with django_capture_on_commit_callbacks(execute=True):
        edited.reciprocity = None
        edited.save()
    [recomputation] = enqueued(recorded_tasks, "recompute_radar")

    recomputation.task.call()  # what the worker does

    assert client.get(reverse("api:radar-insights")).json()["stale"] is False
    with django_capture_on_commit_callbacks(execute=True):
        edited.reciprocity = True
        edited.save()
    assert len(enqueued(recorded_tasks, "recompute_radar")) == 2


def test_no_thread_is_started_by_the_application():
    """Background work belongs to the task worker; threads die with a web worker."""
    sources = [
        path
        for app in ("config", "initiatives", "radar", "territories", "common", "opendata")
        for path in (ROOT / app).rglob("*.py")
    ]
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if re.search(r"threading\.Thread\b|from threading import .*\bThread\b", path.read_text())
    ]
    assert sources and offenders == []


@pytest.mark.recomputation
def test_a_bulk_write_enqueues_one_recomputation_when_it_ends(
    recorded_tasks, django_capture_on_commit_callbacks
):
    from initiatives.signals import bulk_write

    with django_capture_on_commit_callbacks(execute=True), bulk_write(sender=None):
        for initiative in Initiative.objects.published().order_by("pk")[:5]:
            initiative.reciprocity = not initiative.reciprocity
            initiative.save()
        assert enqueued(recorded_tasks, "recompute_radar") == []
    [recomputation] = enqueued(recorded_tasks, "recompute_radar")
    assert recomputation.args == [True]  # skipped if warm_radar got there first


@pytest.mark.recomputation
def test_a_scheduled_recomputation_does_nothing_when_the_results_are_current(monkeypatch):
    tasks.recompute_radar.call()
    monkeypatch.setattr(tasks, "warm_up", lambda: pytest.fail("computed twice"))
    tasks.recompute_radar.call(True)


def test_on_a_new_day_the_day_befores_movements_are_served_stale_meanwhile(
    client, recorded_tasks, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    url = reverse("api:radar-emerging")
    today = client.get(url).json()
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    response = client.get(url)

    assert response.status_code == 200
    assert response.json()["stale"] is True
    assert response.json()["features"] == today["features"]
    [computation] = enqueued(recorded_tasks, "compute_result")
    assert computation.args[0] == "emerging"
    assert computation.args[1]["end"] == tomorrow.isoformat()
