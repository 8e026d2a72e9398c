"""Compute the radar's default results now (or enqueue their computation for the worker).

Requests never compute a result: after loading data in bulk, run this (the demo set-up and
the browser tests do) so that the first visitors get the radar at once."""

import time

from django.core.management.base import BaseCommand

from radar import tasks


class Command(BaseCommand):
    help = "Compute the radar's default results now, or with --enqueue in the task worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Leave the computation to the task worker."
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            tasks.recompute_radar.enqueue()
            self.stdout.write("Radar recomputation enqueued for the task worker.")
            return
        started = time.monotonic()
        tasks.recompute_radar.call()
        self.stdout.write(f"Radar results computed in {time.monotonic() - started:.0f} s.")
