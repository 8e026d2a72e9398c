"""Files uploaded by staff for an import, kept between the preview and the confirmed import
(which the task worker runs). Named by a random id the server chose: a form can only point
at a file the server stored, never at a path of its choosing."""

import re
import secrets
import tempfile
from pathlib import Path

UPLOAD_DIR = Path(tempfile.gettempdir()) / "radar-imports"
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def store(uploaded, suffix: str) -> str:
    UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    upload_id = secrets.token_urlsafe(24)
    with path_for(upload_id, suffix).open("wb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
    return upload_id


def path_for(upload_id: str, suffix: str) -> Path:
    if not UPLOAD_ID.match(upload_id) or not re.fullmatch(r"\.[a-z.]{1,12}", suffix):
        raise ValueError("not an upload of ours")
    return UPLOAD_DIR / f"{upload_id}{suffix}"


def suffix_of(name: str) -> str:
    lowered = name.lower()
    for suffix in (".osm.pbf", ".geojson", ".json", ".csv", ".osm", ".pbf"):
        if lowered.endswith(suffix):
            return suffix
    return ""
