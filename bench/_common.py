"""Shared helpers for benchmarks: a scratch database on the local cluster, timing, memory."""

import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
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


def production_env(database_url: str) -> dict:
    """Production settings over plain HTTP on loopback, for benchmarks."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_gunicorn(
    database_url: str, *, workers: int, ready_path: str, env: dict | None = None, log=None
):
    """gunicorn with production settings (or `env`); returns (process, base URL) once it
    answers. Its messages go to `log` (an open file) when given. Static files are collected
    first (production settings serve hashed names from a manifest)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env or production_env(database_url), check=True,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env or production_env(database_url), stdout=log, stderr=log,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + ready_path, timeout=2).read()
            return server, url
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")
