import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, envbool, envint, envlist

ROOT = Path(__file__).resolve().parents[1]


def test_envbool_reads_true_and_false_words_and_refuses_others(monkeypatch):
    monkeypatch.setenv("FLAG", "oui")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        envbool("FLAG", False)
    monkeypatch.setenv("FLAG", "Yes")
    assert envbool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert envbool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert envbool("FLAG", True) is True


def test_envint_refuses_a_non_integer(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ImproperlyConfigured, match="PORT must be an integer"):
        envint("PORT", 8000)


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " radar.example.org, www.radar.example.org ,")
    assert envlist("ALLOWED_HOSTS", []) == ["radar.example.org", "www.radar.example.org"]


def test_a_database_url_becomes_a_postgis_database():
    database = database_from_url(
        "postgis://radar:s%40cret@db.example.org:5433/radar?sslmode=require"
    )
    assert database["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert (database["USER"], database["PASSWORD"]) == ("radar", "s@cret")
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.example.org",
        "5433",
        "radar",
    )
    assert database["OPTIONS"] == {"sslmode": "require", "connect_timeout": "5"}


@pytest.mark.parametrize("url", ["mysql://h/db", "postgis://host/"])
def test_a_bad_database_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="radar.example.org",
        EMAIL_HOST="smtp.example.org",
        **extra,
    )
    return env


def test_production_settings_pass_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_an_smtp_server_fails_the_deployment_checks():
    env = production_env()
    env.pop("EMAIL_HOST")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "mail.E001" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_static_files_collect_for_production_with_hashed_names(tmp_path):
    """The manifest storage refuses a stylesheet or script whose references are missing."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=production_env(STATIC_ROOT=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "js/map.js" in manifest and "leaflet/images/marker-icon.png" in manifest


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]

    assert "script-src 'self';" in policy  # no inline script, no eval
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy


@pytest.mark.django_db
def test_only_the_staff_admin_allows_inline_scripts(client):
    assert "'unsafe-inline'" not in client.get("/")["Content-Security-Policy"].split(";")[1]
    admin_policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin_policy
