"""Importing from the admin: upload, dry-run preview line by line, confirm, task."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from initiatives.importing import uploads
from initiatives.models import Initiative

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "formats"


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("importer", "importer@example.org", "not-a-secret-9")
    client.force_login(user)
    return client


def _upload(client, name: str, **fields):
    with (FIXTURES / name).open("rb") as handle:
        return client.post(
            reverse("admin:initiatives_initiative_import"),
            {"file": handle, "source": "admin-import", **fields},
        )


@pytest.mark.django_db
def test_the_preview_reports_every_line_and_stores_nothing(staff_client):
    response = _upload(staff_client, "gogocarto-exemple.json", format="gogocarto")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Essai à blanc : rien n’a été enregistré." in page
    assert "<td>AbC1</td>" in page and "<td>AbC2</td>" in page
    assert "Compostage collectif hors de notre vocabulaire" in page
    assert not Initiative.objects.filter(source="admin-import").exists()


@pytest.mark.django_db
def test_confirming_runs_the_import_as_a_task_and_deletes_the_upload(staff_client):
    page = _upload(staff_client, "gogocarto-exemple.json", format="gogocarto").content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    upload = uploads.path_for(hidden["upload_id"], hidden["suffix"])
    assert upload.exists()

    response = staff_client.post(
        reverse("admin:initiatives_initiative_import"),
        {**{k: v.replace("&quot;", '"') for k, v in hidden.items()}, "confirm": "1"},
    )

    assert response.status_code == 302
    stored = Initiative.objects.filter(source="admin-import")
    assert set(stored.values_list("source_id", flat=True)) == {"AbC1", "AbC2"}
    assert not upload.exists()


@pytest.mark.django_db
def test_a_confirmation_cannot_point_at_a_file_of_its_choosing(staff_client):
    response = staff_client.post(
        reverse("admin:initiatives_initiative_import"),
        {"upload_id": "../../etc/passwd", "suffix": ".csv", "format": "csv", "source": "x",
         "confirm": "1"},
    )  # fmt: skip

    assert response.status_code == 302
    assert not Initiative.objects.filter(source="x").exists()


@pytest.mark.django_db
def test_a_bad_mapping_file_is_refused_on_the_form(staff_client, tmp_path):
    mapping = tmp_path / "m.json"
    mapping.write_text('{"values": {"themes": {"Vélo": "bicycles"}}}')
    with mapping.open("rb") as handle:
        response = _upload(staff_client, "csv-exemple.csv", format="csv", mapping=handle)

    assert response.status_code == 200
    assert "bicycles" in response.content.decode()


@pytest.mark.django_db
def test_the_import_page_is_for_staff_only(client):
    response = client.get(reverse("admin:initiatives_initiative_import"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
