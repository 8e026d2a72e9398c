"""Export of 100,000 initiatives: the server's streamed GeoJSON (and CSV) against ogr2ogr.

Uses its own database, radar_bench, on the local cluster (created, migrated and filled on the
first run: the demo's territories, then 100,000 synthetic initiatives). Prints wall time and
peak memory (RSS) of the server process and of ogr2ogr reading the same table, and the ratio.

    .venv/bin/python bench/bench_export.py
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import serve_gunicorn

ROOT = Path(__file__).resolve().parents[1]
PG = {"host": "127.0.0.1", "port": os.environ.get("RADAR_PG_PORT", "54329"), "user": "radar"}
BENCH_DB = "radar_bench"
BENCH_URL = f"postgis://{PG['user']}@{PG['host']}:{PG['port']}/{BENCH_DB}"
TARGET_ROWS = 100_000
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def psql(sql: str, database: str = BENCH_DB) -> str:
    command = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-At", database]
    result = subprocess.run([*command, "-c", sql], capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(result.stderr)
    return result.stdout.strip()


def manage(*args: str) -> None:
    env = {**os.environ, "DATABASE_URL": BENCH_URL}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


RUNS = 5


def ensure_bench_database() -> None:
    """radar_bench with the demo's territories and TARGET_ROWS synthetic initiatives."""
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{BENCH_DB}'", "radar")
    if not exists:
        psql(f"CREATE DATABASE {BENCH_DB}", "radar")
    manage("migrate", "--no-input", "-v", "0")
    manage("createcachetable")
    if psql("SELECT count(*) FROM territories_territory") == "0":
        manage("load_demo", "-v", "0")
    missing = TARGET_ROWS - int(
        psql("SELECT count(*) FROM initiatives_initiative WHERE source = 'bench'")
    )
    if missing > 0:
        print(f"inserting {missing} synthetic initiatives…", flush=True)
        psql(_insert_sql(missing, _other_required_text_columns()))
        psql("ANALYZE initiatives_initiative")


def _other_required_text_columns() -> list[str]:
    """Required text columns added since this was written (private ones, say): left blank."""
    listed = psql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = "
        "'initiatives_initiative' AND is_nullable = 'NO' AND column_default IS NULL "
        "AND data_type IN ('text', 'character varying')"
    ).split()
    return [name for name in listed if name not in KNOWN_COLUMNS]


KNOWN_COLUMNS = {
    "name", "short_description", "description", "website", "start_date_precision",
    "activity_status", "address", "collaboration_mode", "economic_model", "governance",
    "animation", "source", "source_id", "publication_status", "contact_email",
}  # fmt: skip


def _insert_sql(rows: int, blank_columns: list[str]) -> str:
    """Random points inside the département, each with its commune, through PostGIS."""
    extra_names = "".join(f", {name}" for name in blank_columns)
    extra_values = ", ''" * len(blank_columns)
    return f"""
    WITH points AS (
        SELECT (ST_Dump(ST_GeneratePoints(geometry, {rows}))).geom AS location
        FROM territories_territory WHERE level = 'departement' AND code = '33'
    ), numbered AS (
        SELECT location, row_number() OVER () AS n,
               (SELECT c.id FROM territories_territory c WHERE c.level = 'commune'
                AND ST_Intersects(c.geometry, location) LIMIT 1) AS commune
        FROM points
    )
    INSERT INTO initiatives_initiative (
        name, short_description, description, website, themes, start_date, start_date_precision,
        activity_status, address, location, actor_types, collaboration_mode, economic_model,
        resources, governance, animation, languages, needs, source, source_id, is_synthetic,
        publication_status, created_at, updated_at, contact_email, territory_id{extra_names})
    SELECT 'Initiative de test ' || n, 'Exemple fictif pour le banc d''essai.', '', '',
        ARRAY[(ARRAY['food','repair_reuse','mobility','culture','housing'])[1 + n % 5]],
        DATE '2015-01-01' + (n % 3000)::int, 'day',
        (ARRAY['active','active','dormant','ended'])[1 + n % 4], '', location,
        ARRAY['citizen'], 'in_person', 'free', ARRAY[]::varchar[], '', '', ARRAY['fr'],
        ARRAY[]::varchar[], 'bench', 'bench-' || n, true, 'published', now(), now(),
        'bench' || n || '@example.org', commune{extra_values}
    FROM numbered"""


def start_gunicorn(workers: int) -> tuple[subprocess.Popen, str]:
    return serve_gunicorn(BENCH_URL, workers=workers, ready_path="/ogc/conformance")


def worker_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def download(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(url, timeout=300) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return time.perf_counter() - started, size


def run_ogr2ogr() -> tuple[float, float, int]:
    dsn = f"PG:host={PG['host']} port={PG['port']} user={PG['user']} dbname={BENCH_DB}"
    command = ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", dsn, "initiatives_initiative"]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak, len(result.stdout)


def main() -> None:
    ensure_bench_database()
    count = psql(
        "SELECT count(*) FROM initiatives_initiative WHERE publication_status = 'published'"
    )
    print(f"published initiatives in {BENCH_DB}: {count}")
    server, url = start_gunicorn(workers=1)
    try:
        (worker,) = worker_pids(server)
        idle = peak_rss_mb(worker)
        results = {}
        for name in ("initiatives.geojson", "initiatives.csv"):
            download(f"{url}/open-data/{name}")  # warm-up
            times = [download(f"{url}/open-data/{name}") for _ in range(RUNS)]
            results[name] = (statistics.median(t for t, _ in times), times[0][1])
        server_peak = peak_rss_mb(worker)
    finally:
        server.terminate()
        server.wait()
    ogr_runs = [run_ogr2ogr() for _ in range(RUNS)] if shutil.which("ogr2ogr") else []
    print(f"server worker RSS: idle {idle:.0f} MB, peak {server_peak:.0f} MB (target < 300 MB)")
    for name, (seconds, size) in results.items():
        print(f"server {name}: median of {RUNS} {seconds:.2f} s, {size / 1e6:.1f} MB")
    if ogr_runs:
        ogr_time = statistics.median(run[0] for run in ogr_runs)
        print(
            f"ogr2ogr -f GeoJSON: median of {RUNS} {ogr_time:.2f} s, "
            f"{ogr_runs[0][2] / 1e6:.1f} MB, "
            f"peak RSS {max(run[1] for run in ogr_runs):.0f} MB"
        )
        ratio = results["initiatives.geojson"][0] / ogr_time
        print(f"ratio of the medians, server GeoJSON / ogr2ogr: {ratio:.2f} (target <= 1.00)")
    else:
        print("ogr2ogr not found: no comparison", file=sys.stderr)


if __name__ == "__main__":
    main()
