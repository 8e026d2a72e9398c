"""Personas of the institutions' side, shared by the radar test modules as fixtures."""

import secrets

import pytest
from django.contrib.auth.models import Group, User
from django.utils import translation

from initiatives.services import token_hash
from radar.models import Institution, InstitutionMembership
from territories.models import Territory
from tests.factories import make_initiative

BORDEAUX_CODE = "33063"
PASSWORD = "a long radar password 42"


@pytest.fixture
def english():
    """Messages asserted in English whatever the default language (French)."""
    with translation.override("en"):
        yield


def _user(username: str) -> User:
    # No password: hashing one costs a second per persona. Tests log in with force_login.
    return User.objects.create_user(username, f"{username}@example.org", None)


def make_member(*, institution: Institution, username: str) -> User:
    user = _user(username)
    InstitutionMembership.objects.create(institution=institution, user=user)
    return user


@pytest.fixture
def bordeaux():
    return Territory.objects.get(level="commune", code=BORDEAUX_CODE)


@pytest.fixture
def institution(bordeaux):
    return Institution.objects.create(name="Ville de Bordeaux", kind="commune", territory=bordeaux)


@pytest.fixture
def other_institution():
    gironde = Territory.objects.get(level="departement", code="33")
    return Institution.objects.create(
        name="Département de la Gironde", kind="departement", territory=gironde
    )


@pytest.fixture
def member(institution):
    return make_member(institution=institution, username="officer")


@pytest.fixture
def other_member(other_institution):
    return make_member(institution=other_institution, username="other-officer")


@pytest.fixture
def moderator():
    user = _user("moderator")
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


@pytest.fixture
def holder_token():
    return secrets.token_urlsafe(32)


@pytest.fixture
def asking(holder_token):
    """A published initiative that declared needs, with its holder's private link."""
    initiative = make_initiative(needs=["premises", "funding"])
    initiative.private_token_hash = token_hash(holder_token)
    initiative.save(update_fields=["private_token_hash"])
    return initiative
