import logging

import pytest
from django.urls import reverse

from initiatives.log_filters import RedactPrivateLinks

pytestmark = pytest.mark.django_db


def test_the_filter_redacts_the_token_of_a_private_link():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        ("GET /mon-initiative/abc-_9Z/ HTTP/1.1", 302),
        None,
    )
    RedactPrivateLinks().filter(record)
    assert record.getMessage() == '"GET /mon-initiative/[redacted]/ HTTP/1.1" 302'


def test_opening_a_private_link_logs_no_token(client, caplog):
    token = "S3cr3t-token-that-must-not-be-logged"
    with caplog.at_level(logging.DEBUG):
        client.get(reverse("initiatives:private-link", args=[token]))
        client.get(reverse("initiatives:private-link", args=[token]) + "extra/")
    assert token not in caplog.text
