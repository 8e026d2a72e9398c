"""Cached radar results, recomputed in the background after data change.

A result is keyed by its name, its parameters and a fingerprint of the data it reads (the
data version, a PostgreSQL sequence that a trigger moves on every write to the initiatives or
the territories: reading it costs the same at any size). When the data changes, the first
request still gets the previous result at once (marked stale) while a background thread
computes the new one; only the very first computation is waited for. The cache is the
project's database cache, shared by every server process. A computation that fails is
recorded the same way (radar.failures), so that it is not attempted again on every visit.
"""

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections

from common.counting import data_version
from radar.failures import AnalysisFailed, failure_of, timeout_for

logger = logging.getLogger(__name__)
TIMEOUT = 7 * 24 * 3600
# Part of every key: bump it when the shape of a result changes, so that a new release never
# reads a result cached by the previous one.
RESULTS_VERSION = 2
_running: set[str] = set()
_lock = threading.Lock()


def data_fingerprint() -> str:
    """The data version (see common.counting): one row read, whatever the table sizes."""
    return str(data_version())


def _key(name: str, params: dict) -> str:
    text = json.dumps(params, sort_keys=True, default=str)
    return f"radar:v{RESULTS_VERSION}:{name}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def cached_result(name: str, params: dict, compute: Callable[[], Any]) -> tuple[Any, bool]:
    """The result and whether it is stale (computed on older data; a fresh one is coming)."""
    key = _key(name, params)
    fingerprint = data_fingerprint()
    entry = cache.get(key)
    if entry and entry["fingerprint"] == fingerprint:
        return _value(entry), False
    if entry and settings.RADAR_RECOMPUTE_IN_BACKGROUND:
        _recompute_in_background(key, fingerprint, compute)
        return _value(entry), True
    return _value(compute_and_store(key, fingerprint, compute)), False


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


def _recompute_in_background(key: str, fingerprint: str, compute: Callable[[], Any]) -> None:
    with _lock:
        if key in _running:
            return
        _running.add(key)

    def run():
        try:
            compute_and_store(key, fingerprint, compute)
        except Exception:
            logger.exception("Background recomputation of %s failed", key)
        finally:
            with _lock:
                _running.discard(key)
            close_old_connections()

    threading.Thread(target=run, name=f"recompute {key}", daemon=True).start()
