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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.conf import settings

    # No background threads in tests: they would write outside the tests' transactions.
    settings.RADAR_RECOMPUTE_IN_BACKGROUND = False
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
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
def _no_background_warm_up(monkeypatch):
    """Background threads would read and write outside the test's transaction."""
    from django.conf import settings

    if settings.configured:
        monkeypatch.setattr(settings, "RADAR_RECOMPUTE_IN_BACKGROUND", False)
