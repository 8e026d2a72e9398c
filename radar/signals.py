"""After initiatives change, have the task worker recompute the radar's main results, so that
the next visitor does not wait (radar.reports.cache serves the previous result meanwhile).
During a bulk write (initiatives.signals.bulk_write) nothing is scheduled per row: one
recomputation is scheduled when the outermost bulk write ends, after its commit.
`manage.py warm_radar` computes them at once, without a worker."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from initiatives.models import Initiative
from initiatives.signals import bulk_write_finished, bulk_write_started

_suspended = 0


def _schedule() -> None:
    from radar.tasks import schedule_recomputation

    schedule_recomputation()


@receiver([post_save, post_delete], sender=Initiative)
def initiative_changed(**kwargs) -> None:
    if not _suspended:
        transaction.on_commit(_schedule, robust=True)  # the write succeeded whatever happens


@receiver(bulk_write_started)
def _bulk_write_started(**kwargs) -> None:
    global _suspended
    _suspended += 1


@receiver(bulk_write_finished)
def _bulk_write_finished(**kwargs) -> None:
    global _suspended
    _suspended -= 1
    if not _suspended:
        transaction.on_commit(_schedule, robust=True)
