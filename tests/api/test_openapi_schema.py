import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_the_openapi_schema_validates_without_a_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
         "--file", str(tmp_path / "schema.yaml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    paths = yaml.safe_load((tmp_path / "schema.yaml").read_text())["paths"]
    for path in (
        "/api/v1/initiatives/",
        "/api/v1/territories/",
        "/api/v1/submissions/",
        "/api/v1/radar/gaps/",
        "/api/v1/radar/emerging/",
        "/api/v1/radar/signals/",
        "/api/v1/radar/insights/",
        "/api/v1/radar/trends/",
    ):
        assert path in paths


@pytest.mark.django_db
def test_the_interactive_documentation_is_served_without_a_cdn(client):
    page = client.get(reverse("api-docs")).content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    for cdn in ("unpkg.com", "jsdelivr.net", "cdnjs"):
        assert cdn not in page
