"""Does a request cost the same at 100,523 initiatives as at 523?

Two databases on the local cluster: radar_scale_demo (the Gironde demo, 523 initiatives) and
radar_bench (the demo plus 100,000 synthetic published initiatives, labelled so, inserted by
SQL: see _synthetic.py). Each is served by gunicorn (1 worker, production settings); every URL
is first requested until it answers 200 (the radar's analyses having been computed and cached
beforehand, out of any request, as the task worker does; a 202 is waited for), then timed
RUNS times, one request at a time, on loopback. Prints the median server time of each URL
at both sizes and their ratio (target: each within 1.5x).

    .venv/bin/python bench/bench_scale.py [RUNS]
"""

import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, production_env, serve_gunicorn
from _synthetic import BENCH_DB, SYNTHETIC_ROWS, ensure_database, url

SMALL_DB = "radar_scale_demo"
BBOX = "-0.60,44.83,-0.56,44.85"  # about 3 km x 2 km in Bordeaux
URLS = [
    "/",
    "/radar/",
    "/radar/territoire/33063/",
    f"/api/v1/initiatives/?bbox={BBOX}",
    # The same box, a page of the same length at both sizes (the box holds 31 initiatives at
    # 523 and 96 at 100,523): what the data's size costs, apart from what the answer holds.
    f"/api/v1/initiatives/?bbox={BBOX}&page_size=25",
    "/api/v1/initiatives/",
    "/api/v1/radar/gaps/?level=commune",
    "/api/v1/radar/gaps/?level=epci",
    "/api/v1/radar/emerging/",
    "/api/v1/radar/signals/?territory=33063",
    "/api/v1/radar/insights/",
    "/api/v1/radar/trends/?level=commune",
    "/api/v1/radar/trends/?level=epci",
    f"/ogc/collections/initiatives/items?bbox={BBOX}&limit=100",
    "/ogc/collections/initiatives/items?limit=100",
    "/ogc/collections/initiatives",
    "/open-data/",
]
TARGET = 1.5
WARM_TIMEOUT_S = 900


def fetch(address: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(address, timeout=600) as response:
            size = len(response.read())
            status = response.status
    except urllib.error.HTTPError as error:
        size, status = len(error.read()), error.code
    return status, time.perf_counter() - started, size


def warm(address: str) -> tuple[int, float]:
    """Request until the answer is final (not 202); the first request's time."""
    deadline = time.monotonic() + WARM_TIMEOUT_S
    status, first, _size = fetch(address)
    while status == 202 and time.monotonic() < deadline:
        time.sleep(2)
        status, _t, _size = fetch(address)
    return status, first


def _pages_last(path: str) -> bool:
    return not path.startswith("/api/v1/radar/")


def warm_analyses(database: str) -> float:
    """Compute and cache the radar's analyses as the task worker would, out of any request
    (a request may not wait minutes); the time it took."""
    started = time.perf_counter()
    # What the worker computes after each change and every morning (radar.tasks.warm_up):
    # every level's gaps, trends and signals, the emerging movements, the insights.
    command = [sys.executable, "manage.py", "warm_radar"]
    subprocess.run(command, cwd=ROOT, env=production_env(url(database)), check=True)
    return time.perf_counter() - started


def measure(database: str, runs: int) -> dict[str, tuple[int, float, float, int]]:
    env = production_env(url(database))
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    print(
        f"  {database}: analyses computed in {warm_analyses(database):.0f} s",
        file=sys.stderr,
        flush=True,
    )
    server, base = serve_gunicorn(url(database), workers=1, ready_path="/ogc/conformance")
    results = {}
    try:
        # The analyses first, one per request (a page would compute them all in one).
        firsts = {path: warm(base + path) for path in sorted(URLS, key=_pages_last)}
        for path in URLS:
            status, first = firsts[path]
            times, size = [], 0
            for _ in range(runs):
                status, seconds, size = fetch(base + path)
                times.append(seconds)
            results[path] = (status, first, statistics.median(times), size)
            print(
                f"  {database}: {path} {status} first {first:.2f} s, "
                f"median {1000 * statistics.median(times):.1f} ms",
                file=sys.stderr,
                flush=True,
            )
    finally:
        server.terminate()
        server.wait()
    return results


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    ensure_database(SMALL_DB, 0)
    ensure_database(BENCH_DB, SYNTHETIC_ROWS)
    small = measure(SMALL_DB, runs)
    large = measure(BENCH_DB, runs)
    print(f"\nmedian of {runs} single requests, 1 gunicorn worker, production settings")
    print(
        f"{'URL':58s} {'523':>9s} {'100,523':>9s} {'ratio':>6s}  status  first@100k"
        "  size@523  size@100k"
    )
    worst = 0.0
    for path in URLS:
        s_status, _s_first, s_median, s_size = small[path]
        l_status, l_first, l_median, l_size = large[path]
        ratio = l_median / s_median
        worst = max(worst, ratio)
        flag = "" if ratio <= TARGET and l_status == 200 else "  <-- over target"
        print(
            f"{path:58s} {1000 * s_median:7.1f}ms {1000 * l_median:7.1f}ms {ratio:6.2f}  "
            f"{s_status}/{l_status}  {l_first:8.2f}s  {s_size / 1000:7.1f}kB"
            f"  {l_size / 1000:8.1f}kB{flag}"
        )
    print(f"worst ratio {worst:.2f} (target <= {TARGET})")


if __name__ == "__main__":
    main()
