"""The site starts without the scientific stack (seconds and hundreds of megabytes): it loads
when a radar result is computed, never to serve one from the cache (see README, "Layout")."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("geopandas", "pandas", "esda", "libpysal", "scipy", "shapely")

PROBE = f"""
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
import config.urls
import radar.reports.gaps, radar.reports.emerging, radar.reports.trends
import radar.reports.signals, radar.reports.insights, radar.reports.news
print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""


def test_the_urls_and_the_reports_import_no_scientific_library():
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()

    assert loaded == ""
