"""GDAL's OAPIF driver reads the service from a real server process.

The server runs on the test database, where the demo was committed once per session; what a
test creates inside its own transaction is invisible to it, so these tests only read the demo.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo (Debian's gdal-bin) is not installed"
)


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


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise RuntimeError(server.stdout.read())
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


@pytest.fixture
def server_url(db):
    port = _free_port()
    environment = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "true"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/ogc/", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _feature_counts(output: str) -> dict[str, int]:
    layers = re.findall(r"Layer name: (\w+)", output)
    counts = [int(n) for n in re.findall(r"Feature Count: (\d+)", output)]
    return dict(zip(layers, counts, strict=True))


def test_ogrinfo_lists_both_collections_with_the_rest_api_counts(server_url, client):
    output = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", f"OAPIF:{server_url}/ogc"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    initiatives = client.get(reverse("api:initiative-list")).json()["count"]
    territories = client.get(reverse("api:territory-list")).json()["count"]
    assert _feature_counts(output) == {"initiatives": initiatives, "territories": territories}
    assert (initiatives, territories) == (523, 567)


def test_ogrinfo_reads_every_initiative_page_by_page(server_url):
    output = subprocess.run(
        [
            "ogrinfo",
            "-ro",
            "-al",
            "-q",
            "-oo",
            "PAGE_SIZE=200",
            f"OAPIF:{server_url}/ogc",
            "initiatives",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert output.count("OGRFeature(initiatives)") == 523
    assert "porteur.demo" not in output
