"""After initiatives change, recompute the radar's main results in the background, so that
the next visitor does not wait (radar.reports.cache serves the previous result meanwhile)."""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from initiatives.models import Initiative

logger = logging.getLogger(__name__)
_pending = threading.Event()
_suspended = 0


def warm_up() -> None:
    from radar import analytics

    try:
        for level in analytics.GAP_LEVELS:
            analytics.gaps_rows(analytics.GapParams(level=level))
            analytics.hotspot_trends_rows(analytics.TrendParams(level=level))
        analytics.emerging_rows(analytics.EmergingParams())
        analytics.workshop_insights()
    except Exception:
        logger.exception("Warming the radar's results up failed")
    finally:
        _pending.clear()
        close_old_connections()


def _schedule() -> None:
    if _pending.is_set():  # one warm-up at a time is enough: it reads the latest data
        return
    _pending.set()
    threading.Thread(target=warm_up, name="radar warm-up", daemon=True).start()


@receiver([post_save, post_delete], sender=Initiative)
def initiative_changed(**kwargs) -> None:
    if settings.RADAR_RECOMPUTE_IN_BACKGROUND and not _suspended:
        transaction.on_commit(_schedule)


@contextmanager
def recomputation_suspended():
    """For bulk writes (imports, the demo): no warm-up per row; results are recomputed on
    the next request instead."""
    global _suspended
    _suspended += 1
    try:
        yield
    finally:
        _suspended -= 1
