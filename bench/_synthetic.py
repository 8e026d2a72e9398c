"""The benchmarks' large database: the Gironde demo plus 100,000 synthetic published
initiatives, written by one INSERT … SELECT in PostgreSQL (seconds, not an ORM save per row).

Every synthetic row is labelled: source `bench`, is_synthetic true, a name starting "Exemple
fictif (banc d'essai)". Points are uniform over the département, each with its commune;
start dates over the ten years before the demo's reference date, so that the radar's scans
and trends have something to look at.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = {"host": "127.0.0.1", "port": os.environ.get("RADAR_PG_PORT", "54329"), "user": "radar"}
BENCH_DB = "radar_bench"
SYNTHETIC_ROWS = 100_000
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def url(database: str) -> str:
    return f"postgis://{PG['user']}@{PG['host']}:{PG['port']}/{database}"


def psql(sql: str, database: str = BENCH_DB) -> str:
    command = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-At", database]
    result = subprocess.run([*command, "-c", sql], capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(result.stderr)
    return result.stdout.strip()


def manage(database: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url(database)}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_database(database: str, synthetic_rows: int) -> None:
    """The demo (523 initiatives) plus ``synthetic_rows`` synthetic ones, created once."""
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'", "postgres"):
        psql(f'CREATE DATABASE "{database}"', "postgres")
    manage(database, "migrate", "--no-input", "-v", "0")
    manage(database, "createcachetable")
    if psql("SELECT count(*) FROM territories_territory", database) == "0":
        manage(database, "load_demo", "-v", "0")
    present = int(
        psql("SELECT count(*) FROM initiatives_initiative WHERE source = 'bench'", database)
    )
    if present < synthetic_rows:
        print(f"{database}: inserting {synthetic_rows - present} synthetic initiatives…",
              file=sys.stderr, flush=True)  # fmt: skip
        psql(insert_sql(synthetic_rows - present, _other_required_text_columns(database)),
             database)  # fmt: skip
        psql("VACUUM ANALYZE initiatives_initiative", database)


def _other_required_text_columns(database: str) -> list[str]:
    """Required text columns added since this was written (private ones, say): left blank."""
    listed = psql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = "
        "'initiatives_initiative' AND is_nullable = 'NO' AND column_default IS NULL "
        "AND data_type IN ('text', 'character varying')",
        database,
    ).split()
    return [name for name in listed if name not in KNOWN_COLUMNS]


KNOWN_COLUMNS = {
    "name", "short_description", "description", "website", "start_date_precision",
    "activity_status", "address", "collaboration_mode", "economic_model", "governance",
    "animation", "source", "source_id", "publication_status", "contact_email",
}  # fmt: skip


def insert_sql(rows: int, blank_columns: list[str]) -> str:
    """Random points inside the département, each with its commune, through PostGIS."""
    extra_names = "".join(f", {name}" for name in blank_columns)
    extra_values = ", ''" * len(blank_columns)
    return f"""
    SELECT setseed(0.2026);
    WITH points AS (
        SELECT (ST_Dump(ST_GeneratePoints(geometry, {rows}, 2026))).geom AS location
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
    SELECT 'Exemple fictif (banc d''essai) ' || n, 'Exemple fictif pour le banc d''essai.', '',
        '', ARRAY[(ARRAY['food','repair_reuse','mobility','culture','housing'])[1 + n % 5]],
        DATE '2016-11-15' + (random() * 3650)::int, 'month',
        (ARRAY['active','active','dormant','ended'])[1 + n % 4], '', location,
        ARRAY[(ARRAY['citizen','associative','private','public'])[1 + n % 4]], 'in_person',
        (ARRAY['free','paid','pay_what_you_can','membership'])[1 + n % 4],
        ARRAY[]::varchar[], '', '', ARRAY['fr'],
        CASE WHEN n % 7 = 0 THEN ARRAY['volunteers'] ELSE ARRAY[]::varchar[] END,
        'bench', 'bench-' || n, true, 'published', now(), now(),
        'bench' || n || '@example.org', commune{extra_values}
    FROM numbered"""


BENCH_URL = url(BENCH_DB)


def ensure_bench_database() -> None:
    """The benchmarks' large database (the demo plus SYNTHETIC_ROWS), created once."""
    ensure_database(BENCH_DB, SYNTHETIC_ROWS)
