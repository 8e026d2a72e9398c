"""The local cluster commits synchronously: every acknowledged commit survives a crash.

A throwaway cluster, started by scripts/localpg.sh exactly as `make run` starts the real
one, takes commits from a writer while it is stopped with `pg_ctl stop -m immediate` (no
shutdown checkpoint: what is not yet on disk is lost). After a restart, every acknowledged
row must be there. With `synchronous_commit=off` the last few hundred milliseconds of
acknowledged commits are lost, and this test fails."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql") / max(os.listdir("/usr/lib/postgresql"), key=int) / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_owner(*command):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, command)], capture_output=True, check=True)


@pytest.fixture
def throwaway_cluster():
    folder = Path(tempfile.mkdtemp(prefix="radar-durability-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    env = {**os.environ, "RADAR_PG_DIR": str(folder), "RADAR_PG_PORT": str(free_port())}

    def start():
        subprocess.run([ROOT / "scripts" / "localpg.sh", "start"], env=env, check=True)

    start()
    try:
        yield env["RADAR_PG_PORT"], folder / "data", start
    finally:
        subprocess.run([ROOT / "scripts" / "localpg.sh", "stop"], env=env, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def connect(port):
    return psycopg.connect(host="127.0.0.1", port=port, user="radar", dbname="radar")


def write_until_the_crash(port, acknowledged: list[int]) -> None:
    """One commit per row, as many submissions would; a row counts once COMMIT returns."""
    try:
        with connect(port) as connection:
            connection.autocommit = True
            for number in range(1_000_000):
                connection.execute("INSERT INTO submission VALUES (%s)", [number])
                acknowledged.append(number)
    except psycopg.OperationalError:
        pass  # the crash


def test_acknowledged_commits_survive_an_immediate_stop(throwaway_cluster):
    port, data, start = throwaway_cluster
    with connect(port) as connection:
        assert connection.execute("SHOW synchronous_commit").fetchone() == ("on",)
        connection.execute("CREATE TABLE submission (number integer PRIMARY KEY)")

    acknowledged: list[int] = []
    writer = threading.Thread(target=write_until_the_crash, args=(port, acknowledged))
    writer.start()
    time.sleep(1.5)
    as_owner(PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    writer.join(timeout=30)
    start()  # crash recovery replays what was flushed

    with connect(port) as connection:
        stored = {row[0] for row in connection.execute("SELECT number FROM submission")}
    assert len(acknowledged) > 100
    assert set(acknowledged) <= stored
