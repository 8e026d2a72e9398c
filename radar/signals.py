"""After initiatives change, recompute the radar's main results in the background, so that
the next visitor does not wait (radar.reports.cache serves the previous result meanwhile).
During a bulk write (initiatives.signals.bulk_write) nothing is scheduled per row: the
results are recomputed on the next request instead."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from initiatives.models import Initiative
from initiatives.signals import bulk_write_finished, bulk_write_started
from radar.parameters import GAP_LEVELS
from radar.reports.emerging import EmergingParams, emerging_rows
from radar.reports.gaps import GapParams, gaps_rows
from radar.reports.insights import workshop_insights
from radar.reports.trends import TrendParams, hotspot_trends_rows

logger = logging.getLogger(__name__)
_pending = threading.Event()
_suspended = 0


def warm_up() -> None:
    try:
        for level in GAP_LEVELS:
            gaps_rows(GapParams(level=level))
            hotspot_trends_rows(TrendParams(level=level))
        emerging_rows(EmergingParams())
        workshop_insights()
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


@receiver(bulk_write_started)
def _bulk_write_started(**kwargs) -> None:
    global _suspended
    _suspended += 1


@receiver(bulk_write_finished)
def _bulk_write_finished(**kwargs) -> None:
    global _suspended
    _suspended -= 1
