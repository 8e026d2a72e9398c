"""The public map (/) and the radar (/radar/) in Chromium at 523 and at 100,523 published
initiatives: time until the initiatives are drawn, requests, bytes, JS heap, and long tasks
while zooming and panning.

Databases as in bench_tiles.py (radar_bench_demo: the demo; radar_bench: the demo plus 100,000
synthetic initiatives, flagged is_synthetic). gunicorn with 2 workers and production settings
(collected, hashed static files) on loopback. Background tiles (OpenStreetMap) are blocked, as
on a machine without network: the maps then also load the project's own basemap, counted here.
Each page is opened RUNS times in a fresh browser context (empty cache); medians are printed.

Targets at 100,523: first view ≤ 1.5 s, ≤ 2 MB transferred, JS heap ≤ 50 MB, no long task over
100 ms while zooming or panning.

    RADAR_PG_PORT=... .venv/bin/python bench/bench_map.py [--runs 3] [--cpu-slowdown 4]

--cpu-slowdown N has Chromium run its page N times slower (DevTools CPU throttling), as on a
modest phone or a busy machine: long tasks that stay under 100 ms only on a fast idle machine
show up. The targets are set for no slowdown.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import PG_PORT, ROOT, manage, production_env, serve_gunicorn

sys.path.insert(0, str(Path(__file__).parent))
import _synthetic as bench_data
from bench_scale import warm_analyses
from bench_tiles import DEMO_DB, stop

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
PAGES = {"/": "#map", "/radar/": "#radar-map"}
CPU_SLOWDOWN = 1  # --cpu-slowdown
LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""


def ensure_demo_database() -> str:
    url = f"postgis://radar@127.0.0.1:{PG_PORT}/{DEMO_DB}"
    if not bench_data.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DEMO_DB}'", "radar"):
        bench_data.psql(f"CREATE DATABASE {DEMO_DB}", "radar")
        manage(url, "migrate", "-v0")
        manage(url, "createcachetable")
        manage(url, "load_demo", "-v0")
    return url


def wait_idle_tiles(page, selector: str, previous: str | None = None) -> None:
    page.wait_for_function(
        f"() => document.querySelector('{selector}').dataset.loaded !== undefined", timeout=60_000
    )
    page.wait_for_timeout(300)


# A blank 1×1 PNG stands for the background tiles when they "load" (no network here).
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)


def one_visit(browser, base: str, path: str, selector: str, background: str) -> dict:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    page = context.new_page()
    if background == "blocked":  # the maps then draw the project's own basemap
        page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    else:
        page.route(
            "**/tile.openstreetmap.org/**",
            lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
        )
    page.add_init_script(LONG_TASKS)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Performance.enable")
    if CPU_SLOWDOWN > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    transferred = {"bytes": 0, "requests": 0}

    def finished(event):
        transferred["bytes"] += event.get("encodedDataLength", 0)
        transferred["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    started = time.perf_counter()
    page.goto(base + path, timeout=60_000)
    page.wait_for_function(
        f"() => document.querySelector('{selector}').dataset.loaded !== undefined", timeout=60_000
    )
    drawn = time.perf_counter() - started
    if path == "/radar/":
        page.wait_for_function(
            "() => document.querySelector('#radar-map').dataset.ready === 'true'", timeout=120_000
        )
    every_layer = time.perf_counter() - started
    page.wait_for_timeout(500)
    first = dict(transferred)
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    heap_mb = metrics["JSHeapUsedSize"] / 1e6
    markers = page.locator(".leaflet-marker-icon").count()
    # Zoom in twice, then pan: the long tasks of these moves only.
    page.evaluate("() => { window.__longTasks = []; }")
    box = page.locator(selector).bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(2):
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(900)
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] - 300, centre[1] - 150, steps=15)
    page.mouse.up()
    page.wait_for_timeout(1500)
    long_tasks = page.evaluate("() => window.__longTasks")
    result = {
        "drawn_s": drawn,
        "every_layer_s": every_layer,
        "requests": first["requests"],
        "bytes": first["bytes"],
        "heap_mb": heap_mb,
        "markers": markers,
        "initiatives_in_view": int(page.locator(selector).get_attribute("data-loaded") or 0),
        "long_tasks_zoom_pan": len(long_tasks),
        "longest_task_ms": max(long_tasks, default=0),
        "requests_zoom_pan": transferred["requests"] - first["requests"],
        "bytes_zoom_pan": transferred["bytes"] - first["bytes"],
    }
    context.close()
    return result


def bench(database: str, label: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    url = f"postgis://radar@127.0.0.1:{PG_PORT}/{database}"
    published = bench_data.psql(
        "SELECT count(*) FROM initiatives_initiative WHERE publication_status = 'published'",
        database,
    )
    print(f"\n== {label}: {published} published initiatives", flush=True)
    server, base = serve_gunicorn(url, workers=2, ready_path="/")
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for background in ("served", "blocked"):
                for path, selector in PAGES.items():
                    name = f"{path} (background tiles {background})"
                    try:
                        one_visit(browser, base, path, selector, background)  # warm the caches
                        visits = [
                            one_visit(browser, base, path, selector, background)
                            for _ in range(runs)
                        ]
                    except Exception as error:  # a page that fails is a result, not a crash
                        results[name] = {"error": str(error).splitlines()[0]}
                        print(f"  {name}: FAILED: {results[name]['error']}", flush=True)
                        continue
                    med = {k: statistics.median(v[k] for v in visits) for k in visits[0]}
                    worst_task = max(v["longest_task_ms"] for v in visits)
                    results[name] = {**med, "worst_long_task_ms": worst_task}
                    line = (
                        f"  {name}: drawn {med['drawn_s']:.2f} s "
                        f"(every layer {med['every_layer_s']:.2f} s), "
                        f"{med['requests']:.0f} requests, {med['bytes'] / 1e6:.2f} MB, "
                        f"JS heap {med['heap_mb']:.1f} MB, {med['markers']:.0f} markers for "
                        f"{med['initiatives_in_view']:.0f} initiatives; zoom ×2 + pan: "
                        f"{med['requests_zoom_pan']:.0f} requests, "
                        f"{med['bytes_zoom_pan'] / 1e3:.0f} kB, "
                        f"long tasks {med['long_tasks_zoom_pan']:.0f} "
                        f"(longest {worst_task:.0f} ms over {runs} runs)"
                    )
                    print(line, flush=True)
            browser.close()
    finally:
        stop(server)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpu-slowdown", type=float, default=1)
    args = parser.parse_args()
    global CPU_SLOWDOWN
    CPU_SLOWDOWN = args.cpu_slowdown
    bench_data.ensure_bench_database()
    ensure_demo_database()
    # The radar's results, as the task worker computes them after each change (a request never
    # does): without them /radar/ would only say "being computed".
    for database in (DEMO_DB, bench_data.BENCH_DB):
        print(f"{database}: analyses computed in {warm_analyses(database):.0f} s", flush=True)
        manage(bench_data.url(database), "build_tile_cells")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=production_env(bench_data.BENCH_URL), check=True,
    )  # fmt: skip
    report = {
        "523": bench(DEMO_DB, "demo", args.runs),
        "100523": bench(bench_data.BENCH_DB, "demo + 100,000 synthetic", args.runs),
    }
    print("\ntargets at 100,523: drawn ≤ 1.5 s, ≤ 2 MB, heap ≤ 50 MB, no long task > 100 ms")
    if CPU_SLOWDOWN > 1:
        print(f"(CPU slowed down ×{CPU_SLOWDOWN:g}: the targets are set for no slowdown)")
    for path, values in report["100523"].items():
        if "error" in values:
            print(f"  {path}: NOT met (the page failed)")
            continue
        verdict = (
            values["drawn_s"] <= 1.5
            and values["bytes"] <= 2e6
            and values["heap_mb"] <= 50
            and values["worst_long_task_ms"] <= 100
        )
        print(f"  {path}: {'met' if verdict else 'NOT met'}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    name = "bench_map.json" if CPU_SLOWDOWN <= 1 else f"bench_map_cpu_x{CPU_SLOWDOWN:g}.json"
    (out / name).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
