"""After initiatives change, have the task worker recompute the radar's main results, so that
the next visitor does not wait (radar.reports.cache serves the previous result meanwhile).
During a bulk write (initiatives.signals.bulk_write) nothing is scheduled per row: one
recomputation is scheduled when the outermost bulk write ends, after its commit.
`manage.py warm_radar` computes them at once, without a worker.

A subscription deleted takes its unsent e-mails with it. A worker serving the radar's queue
keeps its daily refresh scheduled (radar.tasks.refresh_daily)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from initiatives.models import Initiative, OutgoingEmail, OutgoingEmailStatus
from initiatives.signals import bulk_write_finished, bulk_write_started, worker_housekeeping
from radar.models import Subscription

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


@receiver(pre_delete, sender=Subscription)
def subscription_deleted(*, instance: Subscription, **kwargs) -> None:
    """Unsubscribing (or an expired request) erases the e-mails not yet sent: the address they
    hold goes with the subscription, and nothing more reaches the reader."""
    unsent = OutgoingEmail.objects.filter(subscription_link__subscription=instance)
    unsent.exclude(status=OutgoingEmailStatus.SENT).delete()


@receiver(worker_housekeeping)
def _keep_the_daily_refresh_scheduled(*, serves, **kwargs) -> None:
    """A worker of the radar's queue, at start and every minute: the daily refresh waits, once
    (a lost or failed one is replaced)."""
    if serves("radar"):
        from radar.tasks import schedule_daily_refresh

        schedule_daily_refresh()
