"""GDAL's OAPIF driver reads the service from a real server process.

The server (tests/opendata/ogc/conftest.py) runs on the test database, where the demo was committed
once per session; what a test creates inside its own transaction is invisible to it, so these
tests only read the demo.
"""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

pytestmark = pytest.mark.skipif(
    shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo (Debian's gdal-bin) is not installed"
)


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
