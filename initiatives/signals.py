"""Signals that initiatives sends to the apps above it, which it does not know.

`bulk_write` wraps a write of many initiatives (an import, the demo): listeners may hold the
work they would otherwise do per saved row (radar recomputes its results once, afterwards).
Django's post_save and post_delete still fire for each row.

`worker_housekeeping` is sent by the task worker (`manage.py run_worker`) when it starts and
then every minute, with `serves` (a function: whether the worker runs a queue's tasks): work
that the worker must keep scheduled is ensured there (radar's daily refresh)."""

from contextlib import contextmanager

from django.dispatch import Signal

bulk_write_started = Signal()
bulk_write_finished = Signal()
worker_housekeeping = Signal()


@contextmanager
def bulk_write(*, sender):
    bulk_write_started.send(sender=sender)
    try:
        yield
    finally:
        bulk_write_finished.send(sender=sender)
