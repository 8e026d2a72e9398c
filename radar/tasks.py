"""Background work of the radar, run by the task worker (`manage.py run_worker`).

- `compute_result`: one result a request asked for (radar.reports.cache enqueues it, once per
  result and data fingerprint).
- `recompute_radar`: the results the pages show by default, after published data changed.
  Debounced and coalesced: the first change of a burst schedules one recomputation a few
  seconds later (RADAR_RECOMPUTE_DELAY_SECONDS); the changes made meanwhile find it scheduled
  and add nothing; it reads the data as they are when it runs. A change that changes nothing
  public (a pending submission) schedules nothing.
- `refresh_daily`: the results keyed by the day (emerging movements and trends up to today,
  the territories' signals), computed just after local midnight (settings.TIME_ZONE) so that
  the day's first visitor does not find them "being computed". Each run schedules the next
  day's first; exactly one waits at a time (`schedule_daily_refresh`, called by each run, by
  the worker at start and every minute, and after `migrate`): no cron needed.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from initiatives.tasks import enqueue
from radar.failures import AnalysisFailed
from radar.reports import cache as results
from territories.models import Territory

logger = logging.getLogger(__name__)
RECOMPUTATION_SCHEDULED = "radar:recomputation-scheduled"
RECOMPUTED_FINGERPRINT = "radar:recomputed-fingerprint"
# Local time of the daily refresh: shortly after midnight, once the date has changed.
DAILY_REFRESH_AT = time(0, 1)
# PostgreSQL advisory lock taken while checking for, and enqueuing, the daily refresh: two
# workers starting at once cannot both find none and both enqueue one.
DAILY_REFRESH_LOCK = 0x7261646172  # "radar"


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

    # The day the request asked for; a warm-up means today.
    params = {"level": params["level"], "day": params.get("day") or _today().isoformat()}
    return results.cached_result(
        "signals", params, lambda: compute_level(params["level"], day=params["day"])
    )


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


def _today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def next_daily_refresh(now: datetime) -> datetime:
    """When the next daily refresh runs: DAILY_REFRESH_AT after the next local midnight."""
    zone = timezone.get_default_timezone()
    tomorrow = timezone.localdate(now, timezone=zone) + timedelta(days=1)
    return datetime.combine(tomorrow, DAILY_REFRESH_AT, tzinfo=zone)


@task(queue_name="radar")
def refresh_daily() -> str:
    """Compute the day's results, after scheduling tomorrow's refresh first: a failure here
    does not end the chain. The results that do not depend on the day are found fresh."""
    schedule_daily_refresh()
    warm_up()
    return _today().isoformat()


def schedule_daily_refresh(*, now: datetime | None = None) -> bool:
    """Make sure one daily refresh is waiting, and only one, whoever calls and however often.
    Returns whether one was enqueued. Nothing with a backend that cannot defer a task (it
    would run it at once, and it would schedule itself again at once)."""
    backend = refresh_daily.get_backend()
    if not backend.supports_defer:
        return False
    run_after = next_daily_refresh(now or timezone.now())
    if _is_database_backend(backend):
        return _enqueue_unless_waiting(run_after, backend_name=backend.alias)
    # Other backends: one marker per day in the shared cache.
    timeout = (run_after - timezone.now()).total_seconds() + 3600
    if not cache.add(f"radar:daily-refresh:{run_after.date()}", True, max(timeout, 60)):
        return False
    refresh_daily.using(run_after=run_after).enqueue()
    return True


def _is_database_backend(backend) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def _enqueue_unless_waiting(run_after: datetime, *, backend_name: str) -> bool:
    """The task table is the truth: a waiting row of the task means nothing to do."""
    from django_tasks_db.models import DBTaskResult

    alias = router.db_for_write(DBTaskResult)
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DAILY_REFRESH_LOCK])
        waiting = DBTaskResult.objects.using(alias).filter(
            task_path=refresh_daily.module_path,
            backend_name=backend_name,
            status=TaskResultStatus.READY,
        )
        if waiting.exists():
            return False
        refresh_daily.using(run_after=run_after).enqueue()
        return True
