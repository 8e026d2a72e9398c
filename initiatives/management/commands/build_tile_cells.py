"""Rebuild the maps' low-zoom tile cells from the published initiatives now.

The task worker does it after every change (radar.tasks.recompute_radar); this command is for
data written behind the application's back (SQL, a restored dump) or a site without a worker."""

import time

from django.core.management.base import BaseCommand

from initiatives.tiles import rebuild_tile_cells


class Command(BaseCommand):
    help = "Rebuild the maps' low-zoom tile cells from the published initiatives."

    def handle(self, *args, **options):
        started = time.monotonic()
        version = rebuild_tile_cells()
        elapsed = time.monotonic() - started
        self.stdout.write(f"Tile cells built for data version {version} in {elapsed:.1f} s.")
