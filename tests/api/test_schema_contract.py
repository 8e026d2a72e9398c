"""The OpenAPI document tells the truth. schemathesis exercises every operation of
/api/schema/ in-process (WSGI), on the test database with the demo, with all its checks:
no server error; every status code, header, content type and body as documented; requests
that break the schema refused (4xx); requests that follow it accepted.

A few rules are stated in the document's words but cannot be written in OpenAPI 3.0 (a
territory code must exist; a bbox's west is less than its east; a submitted place lies inside
the served territory; a start date is not in the future; a web address has a host name that
Django's URL validator accepts). For the requests that are meant to
follow the schema (schemathesis' positive cases), `_follow_the_rules_in_words` makes them
follow those rules too; the requests meant to break it are sent untouched."""

import datetime as dt
import unicodedata

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261206,
        # NUL characters cannot be stored by PostgreSQL: every text field refuses them (400),
        # as the document says; generating them would only probe that one rule everywhere.
        "generation": {"max-examples": 10, "deterministic": True, "allow-x00": False},
        "phases": {
            # Repeated parameters: refused unless the parameter is a list.
            "coverage": {"generate-duplicate-query-parameters": True},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

TERRITORY_CODES = ("33", "33063", "200023794", "33003")
INSIDE_THE_GIRONDE = [-0.5792, 44.8378]  # Bordeaux


@pytest.fixture
def in_process_requests(db, monkeypatch):
    """The requests run inside the test's transaction: Django must not close the connection
    at the end of each request (its test client does the same)."""
    _compute_once_per_level(monkeypatch)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _compute_once_per_level(monkeypatch):
    """The contract is about the requests and the shapes of the answers, not the statistics
    (tests/radar checks those): each analysis is computed once per level, with few
    permutations, and that result stands for every other parameter set. Everything else (the
    parameters' checks, the cache, the words, the geometries, the serializers) runs as is."""
    from radar.reports import emerging, gaps, trends

    monkeypatch.setattr(gaps, "CLUSTER_PERMUTATIONS", 99)
    monkeypatch.setattr(trends, "TREND_PERMUTATIONS", 99)
    for module, key in (
        (gaps, lambda params: params.level),
        (trends, lambda params: params.level),
        (emerging, lambda params: "all"),
    ):
        compute, results = module._compute, {}

        def once(params, *args, compute=compute, results=results, key=key):
            if key(params) not in results:
                results[key(params)] = compute(params, *args)
            return results[key(params)]

        monkeypatch.setattr(module, "_compute", once)


def _follow_the_rules_in_words(case) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    query = case.query or {}
    if "territory" in query and case.path == "/api/v1/initiatives/":
        query["territory"] = TERRITORY_CODES[len(str(query["territory"])) % len(TERRITORY_CODES)]
    if "bbox" in query:
        west, south, east, north = (float(part) for part in str(query["bbox"]).split(","))
        west, east = sorted(max(-180.0, min(180.0, v)) for v in (west, east))
        south, north = sorted(max(-90.0, min(90.0, v)) for v in (south, north))
        east, north = max(east, west + 0.5), max(north, south + 0.5)
        if east > 180:
            west, east = 179.0, 180.0
        if north > 90:
            south, north = 89.0, 90.0
        query["bbox"] = f"{west},{south},{east},{north}"
    if case.path == "/api/v1/submissions/" and isinstance(case.body, dict):
        case.body.pop("lon", None)
        case.body.pop("lat", None)
        case.body["location"] = {"type": "Point", "coordinates": INSIDE_THE_GIRONDE}
        # No control characters (nor line breaks in one-line fields): said in words.
        for name, value in case.body.items():
            if isinstance(value, str):
                cleaned = "".join(c for c in value if _printable(c))
                # A value that was non-blank only through control characters stays non-blank
                # (the schema's "\\S"), or the case would become invalid.
                if value and not cleaned.strip():
                    cleaned = "x"
                case.body[name] = cleaned
        if case.body.get("website"):
            case.body["website"] = "https://example.org/" + str(len(case.body["website"]))
        start = case.body.get("start_date")
        if isinstance(start, str) and start > dt.date.today().isoformat():
            case.body["start_date"] = dt.date.today().isoformat()


def _printable(char: str) -> bool:
    return unicodedata.category(char) not in {"Cc", "Zl", "Zp"}


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_api_answers_as_documented(case, in_process_requests):
    _follow_the_rules_in_words(case)
    # The in-process transport does not decompress: ask for plain bodies (gzip is tested in
    # tests/config/test_compression.py).
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
