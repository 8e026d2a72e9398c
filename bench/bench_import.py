"""`import_initiatives` of 100,000 synthetic rows, as a CSV and as a GeoJSON file: wall time
and peak memory (RSS) of the command, first import and re-run (all unchanged), medians.

Target (issue 12): ≤ 60 s and ≤ 500 MB on the 2-core reference machine. The rows are
generated here (fixed seed) around the Gironde's communes, a few in the ocean (rejected, as
they must be). Uses a scratch database, radar_bench_initiatives, on the local cluster.

    .venv/bin/python bench/bench_import.py [ROWS] [RUNS]
"""

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PG_PORT, ROOT, manage, median, scratch_database

THEMES = ["food", "repair_reuse", "mobility", "culture", "digital_inclusion", "environment"]
ACTORS = ["public", "private", "associative", "citizen"]
DATABASE = "radar_bench_initiatives"


def commune_points() -> list[tuple[float, float]]:
    """A point near the middle of each Gironde commune (mean of its outer ring)."""
    path = ROOT / "fixtures" / "gironde" / "communes-33-gironde.geojson"
    points = []
    for feature in json.loads(path.read_text())["features"]:
        geometry = feature["geometry"]
        ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else None
        ring = ring or geometry["coordinates"][0][0]
        points.append((sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring)))
    return points


def synthetic_rows(count: int, seed: int = 12):
    rng, centres = random.Random(seed), commune_points()
    for index in range(count):
        lon, lat = rng.choice(centres)
        if index % 200 == 0:
            lon, lat = -2.0, 45.0  # in the Atlantic: rejected
        yield {
            "id": f"b{index:06d}",
            "name": f"Initiative synthétique n°{index} {rng.randrange(10**6):06d}",
            "short_description": "Exemple fictif généré pour le banc d'essai.",
            "themes": "|".join(rng.sample(THEMES, rng.choice([1, 2]))),
            "actor_types": "|".join(rng.sample(ACTORS, rng.choice([1, 2]))),
            "start_date": f"{rng.randrange(2010, 2026)}-{rng.randrange(1, 13):02d}",
            "reciprocity": rng.choice(["true", "false", ""]),
            "lon": round(lon + rng.uniform(-0.02, 0.02), 6),
            "lat": round(lat + rng.uniform(-0.015, 0.015), 6),
        }


def write_csv(path: Path, count: int) -> None:
    rows = synthetic_rows(count)
    first = next(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(first))
        writer.writeheader()
        writer.writerow(first)
        writer.writerows(rows)


def write_geojson(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [\n')
        for index, row in enumerate(synthetic_rows(count)):
            lon, lat = row.pop("lon"), row.pop("lat")
            row["themes"] = row["themes"].split("|")
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": row,
            }
            handle.write(("," if index else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        handle.write("]}\n")


def postgres_children_cpu() -> float:
    """CPU seconds of the local cluster's ended backends, as the postmaster accounts them
    (cutime + cstime): the import's own backend once its connection is closed."""
    pid = (ROOT / ".pgdata" / "data" / "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def timed_child(database_url: str, *args: str) -> tuple[float, float, float, float]:
    """Wall time (s), CPU time of the command itself and of its PostgreSQL backend (user +
    system, s: what the machine's load does not inflate) and peak RSS (MB) of one manage.py
    command."""
    env = {**os.environ, "DATABASE_URL": database_url}
    database_cpu = postgres_children_cpu()
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%U %S %M", sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    user, system, peak_kb = result.stderr.strip().splitlines()[-1].split()
    database_cpu = postgres_children_cpu() - database_cpu
    return elapsed, float(user) + float(system), database_cpu, int(peak_kb) / 1024


def delete_bench_rows() -> None:
    with psycopg.connect(
        host="127.0.0.1", port=PG_PORT, user="radar", dbname=DATABASE, autocommit=True
    ) as connection:
        connection.execute("DELETE FROM initiatives_initiative WHERE source LIKE 'bench-%'")
        connection.execute("VACUUM ANALYZE initiatives_initiative")


def main(count: int = 100_000, runs: int = 3) -> None:
    folder = Path(tempfile.mkdtemp())
    files = {"CSV": folder / "rows.csv", "GeoJSON": folder / "rows.geojson"}
    write_csv(files["CSV"], count)
    write_geojson(files["GeoJSON"], count)
    url = scratch_database(DATABASE)
    manage(url, "createcachetable")
    manage(url, "load_demo", "-v0")
    print(f"import_initiatives, {count} synthetic rows ({count // 200} outside the territory)")
    for label, path in files.items():
        source = f"bench-{label.lower()}"
        first, rerun = [], []
        for _ in range(runs):
            delete_bench_rows()
            args = ["import_initiatives", str(path), "--source", source, "-v0"]
            first.append(timed_child(url, *args))
            rerun.append(timed_child(url, *args))
        size = path.stat().st_size / 1e6
        for what, figures in (("first import", first), ("re-run, unchanged", rerun)):
            seconds = median(f[0] for f in figures)
            print(
                f"  {label} ({size:.0f} MB), {what}: median {seconds:.1f} s "
                f"({count / seconds:,.0f} rows/s); CPU: the command "
                f"{median(f[1] for f in figures):.1f} s + PostgreSQL "
                f"{median(f[2] for f in figures):.1f} s; peak RSS median "
                f"{median(f[3] for f in figures):.0f} MB; over {runs} runs"
            )
    print(
        f"  target: ≤ 60 s and ≤ 500 MB. Load average now {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores: on a busy machine the wall time is mostly waiting; the CPU "
        "figures are what the import itself costs."
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
