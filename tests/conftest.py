"""Shared fixtures. The test database holds the Gironde demo (loaded once per session): every
test runs in a transaction on top of it, so tests must not use transactional_db (a flush would
wipe the demo); browser tests use their own database and server (tests/browser/conftest.py)."""

import io
import os

import pytest
from django.core.management import call_command


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="run tests marked slow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow (make bench)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """A test database per pytest process, so that parallel runs never drop each other's."""
    from django.conf import settings

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_radar_{os.getpid()}"


IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "email", "radar", "imports"],
    }
}


def reset_task_backends(**kwargs) -> None:
    """django.tasks keeps its backends once built: rebuild them when TASKS changes."""
    from asgiref.local import Local
    from django.tasks import task_backends

    if kwargs.get("setting", "TASKS") == "TASKS":
        task_backends.__dict__.pop("settings", None)
        task_backends._settings = None
        task_backends._connections = Local(task_backends.thread_critical)


def pytest_configure(config):
    from django.conf import settings
    from django.test.signals import setting_changed

    # Tasks run at once, in the test's transaction, when their enqueue is committed (tests
    # run on-commit callbacks with django_capture_on_commit_callbacks). The database backend
    # and its worker are tested on their own (tests/initiatives/test_email_tasks.py).
    settings.TASKS = IMMEDIATE_TASKS
    setting_changed.connect(reset_task_backends, dispatch_uid="reset_task_backends")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    reset_task_backends()
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
        # Requests never compute the radar: the demo's bulk write schedules its default results
        # (and the maps' tile cells), which the immediate task backend computes at once.
        call_command("load_demo", verbosity=0, stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (French), whatever an earlier test activated."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _no_recomputation_after_each_write(request, monkeypatch):
    """With tasks run at once, every committed write would recompute the whole radar: that
    scheduling is tested on its own (tests/radar/test_radar_tasks.py, marked `recomputation`)."""
    from django.conf import settings

    if settings.configured and "recomputation" not in request.keywords:
        from radar import tasks

        monkeypatch.setattr(tasks, "schedule_recomputation", lambda: False)
