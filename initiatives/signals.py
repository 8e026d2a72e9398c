"""Signals that initiatives sends to the apps above it, which it does not know.

`bulk_write` wraps a write of many initiatives (an import, the demo): listeners may hold the
work they would otherwise do per saved row (radar recomputes its results once, afterwards).
Django's post_save and post_delete still fire for each row."""

from contextlib import contextmanager

from django.dispatch import Signal

bulk_write_started = Signal()
bulk_write_finished = Signal()


@contextmanager
def bulk_write(*, sender):
    bulk_write_started.send(sender=sender)
    try:
        yield
    finally:
        bulk_write_finished.send(sender=sender)
