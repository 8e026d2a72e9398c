"""After initiatives change, have the task worker recompute the radar's main results, so that
the next visitor does not wait (radar.reports.cache serves the previous result meanwhile)."""

from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from initiatives.models import Initiative

_suspended = 0


def _schedule() -> None:
    from radar.tasks import schedule_recomputation

    schedule_recomputation()


@receiver([post_save, post_delete], sender=Initiative)
def initiative_changed(**kwargs) -> None:
    if not _suspended:
        transaction.on_commit(_schedule, robust=True)  # the write succeeded whatever happens


@contextmanager
def recomputation_suspended():
    """For bulk writes (imports, the demo): no scheduling per row; run `manage.py warm_radar`
    (or let the next request enqueue what it needs) afterwards."""
    global _suspended
    _suspended += 1
    try:
        yield
    finally:
        _suspended -= 1
