"""Cached radar results, computed by the task worker, never by a request.

A result is keyed by its name, its parameters and a fingerprint of the *published* data it
reads (initiatives and territories): a pending submission changes nothing public, so it
invalidates nothing. A request gets the cached result at once; when it was computed on older
data it is served anyway, marked stale, and its recomputation is enqueued (radar.tasks). When
there is no result at all yet, the request raises ResultPending: the API answers 202 Accepted
with Retry-After, a page says that the radar is being computed. The cache is the project's
database cache, shared by every server process and by the worker.

The fingerprint is the data version (common.counting.data_version): counters that database
triggers raise on every statement changing published data, so reading it costs two rows at any
size. A computation that fails is recorded the same way (radar.failures), so that it is not
attempted again on every visit: the API answers 422 with the reason, a page says
"Calcul impossible : …".
"""

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

from common.counting import data_version
from radar.failures import AnalysisFailed, failure_of, timeout_for

logger = logging.getLogger(__name__)
TIMEOUT = 7 * 24 * 3600
# Part of every key: bump it when the shape of a result changes, so that a new release never
# reads a result cached by the previous one.
RESULTS_VERSION = 3
# A requested computation is not requested again for this long (its task is queued; should its
# worker die, the next request after this delay enqueues it again).
SCHEDULED_TIMEOUT = 15 * 60
RETRY_AFTER_SECONDS = 10
_compute_here: ContextVar[bool] = ContextVar("compute_here", default=False)


class ResultPending(APIException):
    """No result yet: the worker is computing it."""

    status_code = status.HTTP_202_ACCEPTED
    default_detail = _("This result is being computed. Try again in a few seconds.")
    default_code = "pending"
    wait = RETRY_AFTER_SECONDS  # DRF turns it into a Retry-After header


def data_fingerprint() -> str:
    """What the radar's results depend on: the version of the published data."""
    return str(data_version())


def _key(name: str, params: dict) -> str:
    text = json.dumps(params, sort_keys=True, default=str)
    return f"radar:v{RESULTS_VERSION}:{name}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


@contextmanager
def computing() -> Iterator[None]:
    """Within this block, a missing or stale result is computed here and stored: for the
    task worker (radar.tasks), `manage.py warm_radar` and tests."""
    token = _compute_here.set(True)
    try:
        yield
    finally:
        _compute_here.reset(token)


def cached_result(
    name: str, params: dict, compute: Callable[[], Any], *, previous: dict | None = None
) -> tuple[Any, bool]:
    """The result and whether it is stale (computed on older data; a fresh one is coming).

    `previous`: the parameters of the result this one replaces (yesterday's, for a result of
    the day): while the new one is being computed, the previous one is served, marked stale,
    rather than nothing."""
    key = _key(name, params)
    fingerprint = data_fingerprint()
    entry = cache.get(key)
    if entry and entry["fingerprint"] == fingerprint:
        return _value(entry), False
    if _compute_here.get():
        return _value(compute_and_store(key, fingerprint, compute)), False
    _request_computation(name, params, key, fingerprint)
    entry = entry or cache.get(key)  # a backend that runs tasks at once has just stored it
    older = cache.get(_key(name, previous)) if entry is None and previous else None
    if older is not None:
        return _value(older), True
    if entry is None:
        raise ResultPending
    return _value(entry), entry["fingerprint"] != fingerprint


def _value(entry: dict) -> Any:
    """The cached value, or the recorded failure raised again (AnalysisFailed)."""
    if "failure" in entry:
        raise AnalysisFailed(**entry["failure"])
    return entry["value"]


def compute_and_store(key: str, fingerprint: str, compute: Callable[[], Any]) -> dict:
    """Compute and cache the result, or the failure with its reason; return the entry."""
    try:
        entry = {"fingerprint": fingerprint, "value": compute()}
        timeout = TIMEOUT
    except Exception as error:  # recorded, not raised: never computed again on this data
        failure = failure_of(error)
        entry = {"fingerprint": fingerprint, "failure": failure.as_entry()}
        timeout = timeout_for(failure, TIMEOUT)
    cache.set(key, entry, timeout)
    return entry


def _request_computation(name: str, params: dict, key: str, fingerprint: str) -> None:
    """Enqueue the computation once per result and data fingerprint (coalesced)."""
    from radar.tasks import compute_result

    marker = f"{key}:scheduled:{fingerprint}"
    if cache.add(marker, True, SCHEDULED_TIMEOUT):
        compute_result.enqueue(name, params, marker)


def computation_done(marker: str) -> None:
    cache.delete(marker)
