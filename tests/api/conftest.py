import pytest
from django.test import Client


@pytest.fixture
def client():
    """Messages are asserted in English (the msgids); French is the site's default."""
    return Client(headers={"Accept-Language": "en"})
