from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from initiatives.models import Initiative
from tests.factories import OUTSIDE, initiative_values, make_initiative


def errors_of(**overrides) -> dict:
    initiative = Initiative(**initiative_values(**overrides))
    with pytest.raises(ValidationError) as caught:
        initiative.full_clean()
    return caught.value.message_dict


@pytest.mark.django_db
def test_the_territory_is_derived_from_the_point():
    assert make_initiative().territory.code == "33063"


@pytest.mark.django_db
def test_it_rejects_a_point_outside_the_territory():
    assert errors_of(lonlat=OUTSIDE) == {
        "location": ["Ce lieu est en dehors du territoire couvert par le radar."]
    }


@pytest.mark.django_db
def test_it_requires_at_least_one_theme():
    assert errors_of(themes=[])["themes"] == ["Choisissez au moins un thème."]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org", "example"])
def test_it_accepts_only_http_links(url):
    assert "website" in errors_of(website=url)


@pytest.mark.django_db
def test_it_rejects_a_start_date_in_the_future():
    assert "start_date" in errors_of(start_date=date.today() + timedelta(days=40))


@pytest.mark.django_db
def test_it_bounds_the_lengths():
    errors = errors_of(name="x" * 201, short_description="y" * 281, description="z" * 10_001)
    assert set(errors) == {"name", "short_description", "description"}


@pytest.mark.django_db
def test_it_rejects_unknown_choices_and_repeated_values():
    errors = errors_of(themes=["food", "food"], actor_types=["martians"], collaboration_mode="x")
    assert set(errors) == {"themes", "actor_types", "collaboration_mode"}


@pytest.mark.django_db
def test_languages_are_normalised_codes():
    assert make_initiative(languages=["FR", "en", "fr"]).languages == ["en", "fr"]
    assert "languages" in errors_of(languages=["français"])


@pytest.mark.django_db
def test_unknown_stays_unknown():
    initiative = make_initiative()
    assert initiative.reciprocity is None
    assert initiative.actor_types == []
    assert initiative.collaboration_mode == ""
