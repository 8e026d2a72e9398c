"""Export of 100,523 initiatives: the server's streamed GeoJSON (and CSV) against ogr2ogr
exporting the same public columns, and against the floor, PostgreSQL's `COPY (…) TO STDOUT`
of the very bytes the server sends (the query the server runs, through psql).

Uses the benchmarks' database radar_bench (the demo plus 100,000 synthetic initiatives, see
_synthetic.py). Prints the median wall time of RUNS downloads, the bytes, each process's own
peak memory (the gunicorn worker's VmHWM; ogr2ogr's and psql's maximum RSS from
/usr/bin/time, which measures that process alone) and the ratios.
Targets: server GeoJSON <= 0.8x ogr2ogr and <= 1.2x the COPY floor.

    .venv/bin/python bench/bench_export.py [RUNS]
"""

import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import serve_gunicorn
from _synthetic import BENCH_DB, PG, PYTHON, ROOT, SYNTHETIC_ROWS, ensure_database, psql, url

# The public columns of the export, read from the export's own list (opendata/columns.py), as
# plain columns for ogr2ogr: the same allow-list, so that both write the same fields.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(ROOT))
django.setup()
from opendata.columns import PROPERTY_COLUMNS  # noqa: E402

PUBLIC_COLUMNS = [column.name for column in PROPERTY_COLUMNS if column.name != "territory"]
OGR_SQL = (
    "SELECT i.id, "
    + ", ".join(f"i.{c}" for c in PUBLIC_COLUMNS)
    + ", t.code AS territory, i.location FROM initiatives_initiative i "
    "LEFT JOIN territories_territory t ON t.id = i.territory_id "
    "WHERE i.publication_status = 'published' ORDER BY i.id"
)


def worker_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def download(address: str) -> tuple[float, int]:
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(address, timeout=300) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return time.perf_counter() - started, size


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall time, the process's own peak RSS (MB) and the bytes it wrote."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True)
    elapsed = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(result.stderr.decode()[-2000:])
    peak_kb = int(result.stderr.decode().strip().splitlines()[-1])
    return elapsed, peak_kb / 1024, len(result.stdout)


def ogr2ogr_command() -> list[str]:
    dsn = f"PG:host={PG['host']} port={PG['port']} user={PG['user']} dbname={BENCH_DB}"
    return [
        "ogr2ogr",
        "-f",
        "GeoJSON",
        "/vsistdout/",
        dsn,
        "-sql",
        OGR_SQL,
        "-nln",
        "initiatives",
        "-lco",
        "COORDINATE_PRECISION=7",
        "-lco",
        "RFC7946=YES",
    ]


def floor_command() -> list[str]:
    """psql running the server's own COPY of the GeoJSON features, with the same 2 parallel
    workers (opendata.encoding.EXPORT_PARALLEL_WORKERS)."""
    script = (
        "import django; django.setup()\n"
        "from initiatives.selectors import published_initiatives\n"
        "from opendata import encoding\n"
        "from django.db import connection\n"
        "sql, params = encoding.initiative_features_query(published_initiatives())\n"
        "with connection.cursor() as c:\n"
        "    print(c.cursor.mogrify(sql, params))\n"
    )
    env = {**os.environ, "DATABASE_URL": url(BENCH_DB), "DJANGO_SETTINGS_MODULE": "config.settings"}
    sql = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    copy = (
        f"COPY (SELECT ',' || feature FROM ({sql}) AS features (feature)) TO STDOUT "
        "WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')"
    )
    return [
        "psql",
        "-h",
        PG["host"],
        "-p",
        PG["port"],
        "-U",
        PG["user"],
        "-At",
        BENCH_DB,
        "-c",
        "SET max_parallel_workers_per_gather = 2",
        "-c",
        copy,
    ]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    ensure_database(BENCH_DB, SYNTHETIC_ROWS)
    count = psql(
        "SELECT count(*) FROM initiatives_initiative WHERE publication_status = 'published'"
    )
    print(f"published initiatives in {BENCH_DB}: {count}")
    server, base = serve_gunicorn(url(BENCH_DB), workers=1, ready_path="/ogc/conformance")
    try:
        (worker,) = worker_pids(server)
        idle = peak_rss_mb(worker)
        results = {}
        for name in ("initiatives.geojson", "initiatives.csv"):
            download(f"{base}/open-data/{name}")  # warm-up
            times = [download(f"{base}/open-data/{name}") for _ in range(runs)]
            results[name] = (statistics.median(t for t, _ in times), times[0][1])
        server_peak = peak_rss_mb(worker)
    finally:
        server.terminate()
        server.wait()
    floor = [timed(floor_command()) for _ in range(runs + 1)][1:]
    print(f"server worker (its own peak RSS): idle {idle:.0f} MB, peak {server_peak:.0f} MB")
    for name, (seconds, size) in results.items():
        print(f"server {name}: median of {runs} {seconds:.2f} s, {size / 1e6:.1f} MB")
    floor_time = statistics.median(run[0] for run in floor)
    print(
        f"COPY floor (psql, same query and bytes): median {floor_time:.2f} s, "
        f"{floor[0][2] / 1e6:.1f} MB, psql peak RSS {max(r[1] for r in floor):.0f} MB"
    )
    geojson = results["initiatives.geojson"][0]
    print(f"ratio server GeoJSON / COPY floor: {geojson / floor_time:.2f} (target <= 1.20)")
    if not shutil.which("ogr2ogr"):
        print("ogr2ogr not found: no comparison", file=sys.stderr)
        return
    ogr = [timed(ogr2ogr_command()) for _ in range(runs + 1)][1:]
    ogr_time = statistics.median(run[0] for run in ogr)
    print(
        f"ogr2ogr -f GeoJSON, same public columns: median {ogr_time:.2f} s, "
        f"{ogr[0][2] / 1e6:.1f} MB, ogr2ogr peak RSS {max(r[1] for r in ogr):.0f} MB"
    )
    print(f"ratio server GeoJSON / ogr2ogr: {geojson / ogr_time:.2f} (target <= 0.80)")


if __name__ == "__main__":
    main()
