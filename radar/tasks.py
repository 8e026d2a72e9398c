"""Background work of the radar, run by the task worker (`manage.py run_worker`).

- `compute_result`: one result a request asked for (radar.reports.cache enqueues it, once per
  result and data fingerprint).
- `recompute_radar`: the results the pages show by default, after published data changed.
  Debounced and coalesced: the first change of a burst schedules one recomputation a few
  seconds later (RADAR_RECOMPUTE_DELAY_SECONDS); the changes made meanwhile find it scheduled
  and add nothing; it reads the data as they are when it runs. A change that changes nothing
  public (a pending submission) schedules nothing.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from initiatives.tasks import enqueue
from radar.failures import AnalysisFailed
from radar.reports import cache as results
from territories.models import Territory

logger = logging.getLogger(__name__)
RECOMPUTATION_SCHEDULED = "radar:recomputation-scheduled"
RECOMPUTED_FINGERPRINT = "radar:recomputed-fingerprint"


def _gaps(params: dict):
    from radar.reports.gaps import GapParams, gaps_rows

    return gaps_rows(GapParams(**params))


def _trends(params: dict):
    from radar.reports.trends import TrendParams, hotspot_trends_rows

    return hotspot_trends_rows(TrendParams(**params))


def _emerging(params: dict):
    from radar.reports.emerging import EmergingParams, emerging_rows

    return emerging_rows(EmergingParams(**params))


def _insights(params: dict):
    from radar.reports.insights import workshop_insights

    return workshop_insights()  # its key holds the seed, the same setting as the web's


def _signals(params: dict):
    from radar.reports.signals import compute_level

    level = params["level"]
    return results.cached_result("signals", params, lambda: compute_level(level))


# What computes each named result of radar.reports.cache from its parameters.
COMPUTATIONS = {
    "gaps": _gaps,
    "trends": _trends,
    "emerging": _emerging,
    "insights": _insights,
    "signals": _signals,
}


@task(queue_name="radar")
def compute_result(name: str, params: dict, marker: str) -> None:
    try:
        with results.computing():
            _recorded(COMPUTATIONS[name], params)
    finally:
        results.computation_done(marker)


def _recorded(computation, params: dict) -> None:
    """Compute; an analysis that fails is stored as its failure (radar.reports.cache), which
    the pages and the API then say in words: nothing more to do here."""
    try:
        computation(params)
    except AnalysisFailed as failure:
        logger.warning("Radar analysis impossible: %s", failure)


def warm_up() -> None:
    """Compute the results the radar's pages show by default, if not fresh already."""
    from radar.parameters import GAP_LEVELS

    with results.computing():
        for level in GAP_LEVELS:
            _recorded(_gaps, {"level": level})
            _recorded(_trends, {"level": level})
        _recorded(_emerging, {})
        _recorded(_insights, {})
        for level in Territory.objects.order_by().values_list("level", flat=True).distinct():
            _recorded(_signals, {"level": level})  # the territory profiles' signals


def _warm_tiles() -> None:
    """The maps' low-zoom cells of the new data version, then their unfiltered tiles."""
    from initiatives.tiles import rebuild_tile_cells, warm_tiles

    try:
        rebuild_tile_cells()
        warm_tiles()
    except Exception:  # the radar's results still matter more than a cold tile
        logger.exception("Rendering the low-zoom tiles failed")


@task(queue_name="radar")
def recompute_radar(only_if_changed: bool = False) -> str:
    """The radar's default results and the maps' low-zoom tiles for the current data. A
    scheduled run (`only_if_changed`) does nothing when they were computed for these data
    since it was scheduled (by `warm_radar`, say)."""
    cache.delete(RECOMPUTATION_SCHEDULED)  # a change from now on schedules the next one
    fingerprint = results.data_fingerprint()
    if only_if_changed and cache.get(RECOMPUTED_FINGERPRINT) == fingerprint:
        return fingerprint
    _warm_tiles()
    warm_up()
    cache.set(RECOMPUTED_FINGERPRINT, fingerprint, None)
    return fingerprint


def schedule_recomputation() -> bool:
    """After a commit that touched initiatives: one recomputation for the whole burst, and
    none when nothing public changed. Returns whether one was enqueued."""
    fingerprint = results.data_fingerprint()
    if cache.get(RECOMPUTED_FINGERPRINT) == fingerprint:
        return False
    timeout = settings.RADAR_RECOMPUTE_DELAY_SECONDS + results.SCHEDULED_TIMEOUT
    if not cache.add(RECOMPUTATION_SCHEDULED, fingerprint, timeout):
        return False
    run_after = timezone.now() + timedelta(seconds=settings.RADAR_RECOMPUTE_DELAY_SECONDS)
    enqueue(recompute_radar, True, run_after=run_after)
    return True
