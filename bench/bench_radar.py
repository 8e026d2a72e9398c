"""The radar for the Gironde demo: warm API latencies and the page's time to interactive.

Targets: radar API responses warm p95 ≤ 300 ms; the radar page interactive (every layer
loaded) within 2 s. Serves the demo with gunicorn (2 workers, production settings) on a
scratch database; drives Debian's Chromium for the page.

    .venv/bin/python bench/bench_radar.py [REQUESTS] [PAGE_LOADS]
"""

import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, manage, production_env, scratch_database, serve_gunicorn

ENDPOINTS = [
    "/api/v1/radar/gaps/?level=commune",
    "/api/v1/radar/gaps/?level=epci",
    "/api/v1/radar/emerging/",
    "/api/v1/radar/signals/?territory=33063",
    "/api/v1/radar/insights/",
    "/api/v1/radar/trends/?level=commune",
    "/api/v1/radar/trends/?level=epci",
    "/radar/",
]


def serve(database_url: str) -> tuple[subprocess.Popen, str]:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=production_env(database_url), check=True,
    )  # fmt: skip
    return serve_gunicorn(database_url, workers=2, ready_path="/api/v1/territories/?level=epci")


def latency_ms(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def api_latencies(url: str, database: str, requests: int) -> None:
    # Requests never compute: what `warm_radar` left out (a territory's signals) answers 202
    # until the task worker has computed it.
    first = {path: latency_ms(url + path) for path in ENDPOINTS}
    manage(database, "run_worker", "--batch", "--no-reload", "--queue-name", "radar")
    for path in ENDPOINTS:
        cold = first[path]
        latency_ms(url + path)  # the other worker's first request
        warm = [latency_ms(url + path) for _ in range(requests)]
        print(
            f"  {path:42s} first {cold:7.0f} ms · warm p50 {statistics.median(warm):6.1f} ms, "
            f"p95 {percentile(warm, 95):6.1f} ms"
        )


def page_interactive(url: str, loads: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for _ in range(loads):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
            start = time.perf_counter()
            page.goto(url + "/radar/")
            page.wait_for_selector(
                "#radar-map[data-ready='true']", state="attached", timeout=60_000
            )
            timings.append(time.perf_counter() - start)
            page.close()
        browser.close()
    return timings


def main(requests: int = 50, loads: int = 5) -> None:
    database = scratch_database("radar_bench_radar")
    manage(database, "createcachetable")
    manage(database, "load_demo", "-v0")
    manage(database, "warm_radar")
    server, url = serve(database)
    try:
        print(f"radar API on the Gironde demo (gunicorn, 2 workers), {requests} warm requests each")
        api_latencies(url, database, requests)
        timings = page_interactive(url, loads)
        print(
            f"  /radar/ interactive (all layers loaded, tiles blocked): median "
            f"{statistics.median(timings):.2f} s over {loads} loads "
            f"(min {min(timings):.2f}, max {max(timings):.2f})"
        )
    finally:
        server.terminate()
        server.wait()
    print("targets: warm p95 ≤ 300 ms; page interactive ≤ 2 s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
