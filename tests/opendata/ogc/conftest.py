import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def client():
    """Messages are asserted in English (the msgids); French is the site's default."""
    return Client(headers={"Accept-Language": "en"})


@dataclass(frozen=True)
class Server:
    url: str
    log: Path  # runserver's output, one line per request

    def requests(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if '"GET ' in line]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgis://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}"
        f"/{settings['NAME']}"
    )


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


@pytest.fixture
def server(db, tmp_path) -> Server:
    """A real server process on the test database, for GDAL to read over HTTP."""
    port, log = _free_port(), tmp_path / "runserver.log"
    environment = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "true"}
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/ogc/", process, log)
        yield Server(url, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def server_url(server) -> str:
    return server.url
