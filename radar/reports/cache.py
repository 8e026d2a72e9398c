"""Cached radar results, recomputed in the background after data change.

A result is keyed by its name, its parameters and a fingerprint of the data it reads (count
and last change of published initiatives and territories). When the data changes, the first
request still gets the previous result at once (marked stale) while a background thread
computes the new one; only the very first computation is waited for. The cache is the
project's database cache, shared by every server process.
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
from django.db.models import Count, Max

from initiatives.models import Initiative
from territories.models import Territory

logger = logging.getLogger(__name__)
TIMEOUT = 7 * 24 * 3600
# Part of every key: bump it when the shape of a result changes, so that a new release never
# reads a result cached by the previous one.
RESULTS_VERSION = 3
_running: set[str] = set()
_lock = threading.Lock()


def data_fingerprint() -> str:
    initiatives = Initiative.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    territories = Territory.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    text = json.dumps([initiatives, territories], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key(name: str, params: dict) -> str:
    text = json.dumps(params, sort_keys=True, default=str)
    return f"radar:v{RESULTS_VERSION}:{name}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def cached_result(name: str, params: dict, compute: Callable[[], Any]) -> tuple[Any, bool]:
    """The result and whether it is stale (computed on older data; a fresh one is coming)."""
    key = _key(name, params)
    fingerprint = data_fingerprint()
    entry = cache.get(key)
    if entry and entry["fingerprint"] == fingerprint:
        return entry["value"], False
    if entry and settings.RADAR_RECOMPUTE_IN_BACKGROUND:
        _recompute_in_background(key, fingerprint, compute)
        return entry["value"], True
    value = compute()
    cache.set(key, {"fingerprint": fingerprint, "value": value}, TIMEOUT)
    return value, False


def _recompute_in_background(key: str, fingerprint: str, compute: Callable[[], Any]) -> None:
    with _lock:
        if key in _running:
            return
        _running.add(key)

    def run():
        try:
            cache.set(key, {"fingerprint": fingerprint, "value": compute()}, TIMEOUT)
        except Exception:
            logger.exception("Background recomputation of %s failed", key)
        finally:
            with _lock:
                _running.discard(key)
            close_old_connections()

    threading.Thread(target=run, name=f"recompute {key}", daemon=True).start()
