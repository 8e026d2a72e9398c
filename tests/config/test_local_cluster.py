"""The local cluster's folder: where the user running PostgreSQL can reach it."""

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "localpg.sh"
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the postgres user matters as root")


def checkout_in(folder: Path, mode: int) -> Path:
    """A copy of the script in a checkout inside `folder`, itself of the given mode."""
    folder.chmod(mode)
    (folder / "checkout" / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, folder / "checkout" / "scripts")
    return folder / "checkout"


def cluster_dir(checkout: Path, **env) -> str:
    return subprocess.run(
        [checkout / "scripts" / "localpg.sh", "dir"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    ).stdout.strip()


@as_root
def test_as_root_in_a_folder_postgres_cannot_enter_the_cluster_lives_with_postgres(tmp_path):
    checkout = checkout_in(tmp_path, 0o700)
    key = hashlib.sha256(str(checkout).encode()).hexdigest()[:12]

    assert cluster_dir(checkout) == f"/var/lib/postgresql/radar-{key}"


@as_root
def test_as_root_in_a_folder_postgres_can_enter_it_stays_in_the_checkout():
    folder = Path(tempfile.mkdtemp())  # /tmp itself is open to all; pytest's tmp_path is not
    try:
        checkout = checkout_in(folder, 0o755)
        assert cluster_dir(checkout) == f"{checkout}/.pgdata"
    finally:
        shutil.rmtree(folder)


def test_radar_pg_dir_chooses_the_folder(tmp_path):
    checkout = checkout_in(tmp_path, 0o700)

    assert cluster_dir(checkout, RADAR_PG_DIR="/srv/radar-db") == "/srv/radar-db"
