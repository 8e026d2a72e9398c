"""Shared helpers for benchmarks: a scratch database on the local cluster, timing, memory."""

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG_PORT = int(os.environ.get("RADAR_PG_PORT", "54329"))


def scratch_database(name: str) -> str:
    """Create (or recreate) a database on the local cluster and return its DATABASE_URL."""
    with psycopg.connect(
        host="127.0.0.1", port=PG_PORT, user="radar", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"postgis://radar@127.0.0.1:{PG_PORT}/{name}"
    manage(url, "migrate", "-v0")
    return url


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def timed_child(database_url: str, *args: str) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one manage.py command in a child process."""
    env = {**os.environ, "DATABASE_URL": database_url}
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return elapsed, peak_kb / 1024


def median(values) -> float:
    return statistics.median(values)


def self_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
