"""Tiles of initiatives around Bordeaux, z 6–16: server time (p50/p95) and size, a short bounded
load on random tiles in view, and tipg's tile endpoint on the same rows in the same run.

Two databases on the local cluster: radar_bench (the demo's 523 published initiatives plus
100,000 synthetic ones, flagged is_synthetic, created by bench_export's SQL on first use) and
radar_bench_demo (the demo only). Each is served by gunicorn (2 workers, production settings)
on loopback. For each zoom, the 3 × 3 tiles centred on Bordeaux are fetched cold (the shared
tile cache emptied first), then warm; times are client-side round trips on loopback.

tipg (https://github.com/developmentseed/tipg) is installed by this script from PyPI into its
own throwaway virtual environment, bench/.tipg-venv/ (git-ignored), and serves the same table;
it is asked for the published rows only, with the same public properties (id, name).

    RADAR_PG_PORT=... .venv/bin/python bench/bench_tiles.py [--load-seconds 8]
"""

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from _common import PG_PORT, ROOT, free_port, manage, serve_gunicorn

sys.path.insert(0, str(Path(__file__).parent))
import _synthetic as bench_data

BORDEAUX = (-0.5792, 44.8378)
ZOOMS = range(6, 17)
TIPG_VENV = ROOT / "bench" / ".tipg-venv"
DEMO_DB = "radar_bench_demo"


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a worker busy with a long request
        server.kill()
        server.wait()


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    rad = math.radians(lat)
    return int((lon + 180) / 360 * n), int(
        (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * n
    )


def around_bordeaux() -> list[tuple[int, int, int]]:
    tiles = []
    for z in ZOOMS:
        x, y = tile_of(*BORDEAUX, z)
        tiles += [(z, x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return tiles


def fetch(url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return (time.perf_counter() - started) * 1000, len(body), status


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, rows: list[tuple[float, int, int]]) -> dict:
    times = [t for t, _, _ in rows]
    sizes = [s for _, s, _ in rows]
    bad = sum(1 for _, _, status in rows if status != 200)
    result = {
        "name": name,
        "tiles": len(rows),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "median_bytes": int(statistics.median(sizes)),
        "max_bytes": max(sizes),
        "errors": bad,
    }
    print(
        f"  {name:<34} p50 {result['p50_ms']:>8.2f} ms  p95 {result['p95_ms']:>8.2f} ms  "
        f"max {result['max_ms']:>8.1f} ms  median {result['median_bytes']:>8} B  "
        f"max {result['max_bytes']:>9} B  non-200: {bad}",
        flush=True,
    )
    return result


def per_zoom(name: str, rows: list[tuple[float, int, int]], tiles) -> None:
    by_zoom: dict[int, list] = {}
    for (z, _, _), row in zip(tiles, rows, strict=True):
        by_zoom.setdefault(z, []).append(row)
    cells = []
    for z, r in sorted(by_zoom.items()):
        time_ms = statistics.median(t for t, _, _ in r)
        size = int(statistics.median(s for _, s, _ in r))
        cells.append(f"z{z}: {time_ms:.1f} ms/{size} B")
    print(f"    {name} by zoom (median time / size): " + ", ".join(cells), flush=True)


def current_version(base: str) -> int:
    with urllib.request.urlopen(base + "/", timeout=60) as response:
        html = response.read().decode()
    config = html.split('<script id="map-config" type="application/json">', 1)[1]
    config = json.loads(config.split("</script>", 1)[0])
    return int(config["initiatives"].split("/")[3])


def clear_tile_cache(database: str) -> None:
    bench_data.psql("DELETE FROM radar_tile_cache", database)


def bounded_load(urls: list[str], seconds: float, threads: int = 8) -> dict:
    """A short closed-loop load on loopback: `threads` clients, each asking random tiles."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(seed: int) -> None:
        chooser = random.Random(seed)
        while time.perf_counter() < deadline:
            elapsed, _, status = fetch(chooser.choice(urls))
            with lock:
                times.append(elapsed)
                errors[0] += status != 200

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(times),
        "req_per_s": round(len(times) / wall, 1),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "errors": errors[0],
    }


def views_in_gironde(count: int) -> list[tuple[int, int, int]]:
    """Random 4 × 2 views (a laptop's map in 512-pixel tiles) over the Gironde, z 8–14."""
    chooser = random.Random(33)
    tiles = []
    for _ in range(count):
        z = chooser.randint(8, 14)
        lon, lat = chooser.uniform(-1.2, 0.2), chooser.uniform(44.3, 45.5)
        x, y = tile_of(lon, lat, z)
        tiles += [(z, x + dx, y + dy) for dx in range(4) for dy in range(2)]
    return tiles


# tipg ------------------------------------------------------------------------------------------


def ensure_tipg() -> Path | None:
    uvicorn = TIPG_VENV / "bin" / "uvicorn"
    if uvicorn.exists():
        return uvicorn
    try:
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
        pip = [str(TIPG_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "tipg", "uvicorn"], check=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as error:
        print(f"tipg could not be installed: {error}")
        return None
    return uvicorn


def serve_tipg(uvicorn: Path, database: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://radar@127.0.0.1:{PG_PORT}/{database}",
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_MAX_FEATURES_PER_TILE": "1000000",
    }
    server = subprocess.Popen(
        [str(uvicorn), "tipg.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/collections", timeout=2).read()
            return server, base
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("tipg did not start")


# main ------------------------------------------------------------------------------------------


def bench_database(database: str, label: str, load_seconds: float, tipg: Path | None) -> dict:
    url = f"postgis://radar@127.0.0.1:{PG_PORT}/{database}"
    published = bench_data.psql(
        "SELECT count(*) FROM initiatives_initiative WHERE publication_status = 'published'",
        database,
    )
    print(f"\n== {label}: {published} published initiatives ({database})", flush=True)
    # What the task worker does after each change: the low-zoom cells of this data version.
    built = manage(url, "build_tile_cells").stdout.decode().strip()
    print(f"  {built}", flush=True)
    server, base = serve_gunicorn(url, workers=2, ready_path="/")
    results: dict = {"database": database, "published": int(published)}
    try:
        version = current_version(base)
        tiles = around_bordeaux()
        for kind in ("pbf", "json"):
            clear_tile_cache(database)
            urls = [f"{base}/tiles/initiatives/{version}/{z}/{x}/{y}.{kind}" for z, x, y in tiles]
            cold = [fetch(u) for u in urls]
            warm = [fetch(u) for u in urls]
            results[f"{kind}_cold"] = summary(f"ours .{kind} (cold: SQL)", cold)
            per_zoom(f"ours .{kind} cold", cold, tiles)
            results[f"{kind}_warm"] = summary(f"ours .{kind} (warm)", warm)
            # A filter (one theme in five) cannot use the stored cells: it groups the points.
            clear_tile_cache(database)
            filtered = [fetch(u + "?theme=food") for u in urls]
            results[f"{kind}_cold_filtered"] = summary(f"ours .{kind}?theme= (cold)", filtered)
            per_zoom(f"ours .{kind}?theme= cold", filtered, tiles)
        view_urls = [
            f"{base}/tiles/initiatives/{version}/{z}/{x}/{y}.json"
            for z, x, y in views_in_gironde(40)
        ]
        results["load"] = bounded_load(view_urls, load_seconds)
        print(
            f"  load, random views, 8 clients {load_seconds:.0f} s: {results['load']}", flush=True
        )
    finally:
        stop(server)
    if tipg:
        tipg_server, tipg_base = serve_tipg(tipg, database)
        try:
            query = (
                "?geom-column=location&properties=id,name"
                "&filter=publication_status%3D%27published%27"
            )
            urls = [
                f"{tipg_base}/collections/public.initiatives_initiative/tiles/WebMercatorQuad/"
                f"{z}/{x}/{y}{query}"
                for z, x, y in tiles
            ]
            fetch(urls[len(urls) // 2])  # tipg reads the catalogue on first use
            rows = [fetch(u) for u in urls]
            results["tipg"] = summary("tipg MVT (same rows, id+name)", rows)
            per_zoom("tipg", rows, tiles)
            ratio = results["tipg"]["p95_ms"] / max(results["pbf_cold"]["p95_ms"], 0.01)
            results["tipg_p95_over_ours_cold_p95"] = round(ratio, 2)
            print(f"  tipg p95 / ours (cold .pbf) p95 = {ratio:.2f}", flush=True)
        finally:
            stop(tipg_server)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--load-seconds", type=float, default=8)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--no-tipg", action="store_true")
    args = parser.parse_args()
    bench_data.ensure_bench_database()
    tipg = None if args.no_tipg else ensure_tipg()
    if tipg is None and not args.no_tipg:
        print("tipg: not available, comparison skipped (see the message above)")
    report = {}
    if not args.skip_demo:
        exists = bench_data.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DEMO_DB}'", "radar")
        demo_url = f"postgis://radar@127.0.0.1:{PG_PORT}/{DEMO_DB}"
        if not exists:
            bench_data.psql(f"CREATE DATABASE {DEMO_DB}", "radar")
            manage(demo_url, "migrate", "-v0")
            manage(demo_url, "createcachetable")
            manage(demo_url, "load_demo", "-v0")
        report["523"] = bench_database(DEMO_DB, "demo", args.load_seconds, tipg)
    report["100523"] = bench_database(
        bench_data.BENCH_DB, "demo + 100,000 synthetic", args.load_seconds, tipg
    )
    target = report["100523"]["pbf_cold"]["p95_ms"], report["100523"]["json_cold"]["p95_ms"]
    print(f"\ntarget p95 ≤ 30 ms at 100,523: .pbf cold {target[0]} ms, .json cold {target[1]} ms")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_tiles.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
