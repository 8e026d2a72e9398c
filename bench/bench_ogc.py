"""OGC API items with a random bbox (about 100 features each) under wrk: 16 connections for
30 s against gunicorn with 2 workers, on the radar_bench database (_synthetic.py).

    .venv/bin/python bench/bench_ogc.py
"""

import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import serve_gunicorn
from _synthetic import BENCH_DB, SYNTHETIC_ROWS, ensure_database, url

# About 0.04° x 0.03° (3 km x 3.3 km): some 100 of the 100,000 points spread over Gironde.
WRK_SCRIPT = """
math.randomseed(42)
request = function()
  local west = -0.95 + math.random() * 0.75
  local south = 44.55 + math.random() * 0.55
  local path = string.format(
    "/ogc/collections/initiatives/items?limit=200&bbox=%.4f,%.4f,%.4f,%.4f",
    west, south, west + 0.04, south + 0.03)
  return wrk.format("GET", path, {["Accept"] = "application/geo+json"})
end
"""


def sample_sizes(url: str) -> list[int]:
    """numberReturned for a few boxes like the ones wrk asks for."""
    sizes = []
    for west, south in ((-0.6, 44.8), (-0.9, 44.6), (-0.3, 45.0), (-0.5, 44.7)):
        query = f"limit=200&bbox={west},{south},{west + 0.04},{south + 0.03}"
        with urllib.request.urlopen(f"{url}/ogc/collections/initiatives/items?{query}") as r:
            sizes.append(json.load(r)["numberReturned"])
    return sizes


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian's wrk package)")
    ensure_database(BENCH_DB, SYNTHETIC_ROWS)
    server, address = serve_gunicorn(url(BENCH_DB), workers=2, ready_path="/ogc/conformance")
    try:
        print("features per sample box:", sample_sizes(address))
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_SCRIPT)
            script.flush()
            command = ["wrk", "-t2", "-c16", "-d30s", "--latency", "-s", script.name, address]
            print(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    finally:
        server.terminate()
        server.wait()
    print("target: at least 90 requests/s (pygeoapi: about 45 with 2 workers)")


if __name__ == "__main__":
    main()
