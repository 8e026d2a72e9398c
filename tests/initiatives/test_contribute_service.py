import hashlib

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from initiatives.choices import PublicationStatus
from initiatives.models import Initiative
from initiatives.services import (
    SubmissionRateLimited,
    initiative_submit,
    submission_rate_check,
)
from tests.factories import BORDEAUX, OUTSIDE

pytestmark = pytest.mark.django_db


def submission(**overrides) -> dict:
    data = {
        "name": "Jardin partagé des Chartrons",
        "short_description": "Un potager ouvert à tous le mercredi.",
        "themes": ["food"],
        "location": Point(*BORDEAUX, srid=4326),
        "contact_email": "holder@example.net",
    }
    data.update(overrides)
    return data


def test_it_stores_a_pending_resident_initiative(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        result = initiative_submit(data=submission(), submitter_ip="192.0.2.1")
    stored = Initiative.objects.get(pk=result.initiative.pk)
    assert stored.publication_status == PublicationStatus.PENDING
    assert stored.source == "resident"
    assert stored.territory.name == "Bordeaux"
    assert stored.last_confirmed_at is not None
    assert stored.contact_email == "holder@example.net"


def test_it_stores_only_the_hash_of_a_long_random_token(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = initiative_submit(data=submission(), submitter_ip="192.0.2.1")
    stored = Initiative.objects.get(pk=result.initiative.pk)
    assert len(result.token) >= 43
    assert stored.private_token_hash == hashlib.sha256(result.token.encode()).hexdigest()
    assert result.token not in stored.private_token_hash


def test_it_emails_the_private_link_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        result = initiative_submit(data=submission(), submitter_ip="192.0.2.1")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["holder@example.net"]
    assert f"/mon-initiative/{result.token}/" in mailoutbox[0].body


def test_it_ignores_fields_a_contributor_may_not_set():
    data = submission(publication_status="published", is_synthetic=True, source="demo")
    result = initiative_submit(data=data, submitter_ip="192.0.2.1")
    assert result.initiative.publication_status == PublicationStatus.PENDING
    assert result.initiative.source == "resident"
    assert result.initiative.is_synthetic is False


BAD_INPUTS = [
    ("outside the territory", {"location": Point(*OUTSIDE, srid=4326)}, "location"),
    ("longitude out of range", {"location": Point(200, 44.8, srid=4326)}, "location"),
    ("NaN coordinates", {"location": Point(float("nan"), 44.8, srid=4326)}, "location"),
    ("no theme", {"themes": []}, "themes"),
    ("no e-mail", {"contact_email": ""}, "contact_email"),
    ("bad e-mail", {"contact_email": "not-an-address"}, "contact_email"),
    ("javascript link", {"website": "javascript:alert(1)"}, "website"),
    ("ftp link", {"website": "ftp://example.org/"}, "website"),
    ("name too long", {"name": "x" * 201}, "name"),
    ("1 MB name", {"name": "x" * 1_000_000}, "name"),
    ("summary too long", {"short_description": "x" * 281}, "short_description"),
    ("empty name", {"name": ""}, "name"),
    ("unknown theme", {"themes": ["witchcraft"]}, "themes"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_it_refuses_bad_input_and_stores_nothing(case, overrides, field, mailoutbox):
    before = Initiative.objects.count()
    with pytest.raises(ValidationError) as raised:
        initiative_submit(data=submission(**overrides), submitter_ip="192.0.2.1")
    assert field in raised.value.message_dict
    assert Initiative.objects.count() == before
    assert mailoutbox == []


def test_it_says_why_a_point_outside_the_territory_is_refused():
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            initiative_submit(
                data=submission(location=Point(*OUTSIDE, srid=4326)), submitter_ip="192.0.2.1"
            )
        assert raised.value.message_dict["location"] == [
            "This place is outside the territory served by the radar."
        ]


def test_it_stores_sql_looking_text_as_plain_text():
    name = "Robert'); DROP TABLE initiatives_initiative;--"
    result = initiative_submit(data=submission(name=name), submitter_ip="192.0.2.1")
    assert Initiative.objects.get(pk=result.initiative.pk).name == name


@override_settings(SUBMISSION_RATE_LIMIT="2/hour")
def test_it_rate_limits_one_address_but_not_another():
    submission_rate_check(ip="192.0.2.1")
    submission_rate_check(ip="192.0.2.1")
    with pytest.raises(SubmissionRateLimited):
        submission_rate_check(ip="192.0.2.1")
    submission_rate_check(ip="192.0.2.2")


@override_settings(SUBMISSION_RATE_LIMIT="1/hour")
def test_a_rate_limited_submission_stores_nothing():
    initiative_submit(data=submission(), submitter_ip="192.0.2.9")
    before = Initiative.objects.count()
    with pytest.raises(SubmissionRateLimited):
        initiative_submit(data=submission(name="Encore"), submitter_ip="192.0.2.9")
    assert Initiative.objects.count() == before


@override_settings(SUBMISSION_RATE_LIMIT="ten per hour")
def test_a_malformed_rate_limit_fails_loudly():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        submission_rate_check(ip="192.0.2.1")
