import pytest
from django.core.management import call_command

from initiatives import demo
from initiatives.models import Initiative


@pytest.mark.django_db
def test_the_87_third_places_of_the_2019_census_are_loaded_with_unknowns_left_unknown():
    census = Initiative.objects.filter(source=demo.TIERS_LIEUX_SOURCE)

    assert census.count() == 87
    assert not census.filter(is_synthetic=True).exists()
    assert set(census.values_list("publication_status", flat=True)) == {"published"}
    assert set(census.values_list("collaboration_mode", flat=True)) == {""}
    assert set(census.values_list("start_date", flat=True)) == {None}
    weecolab = census.get(source_id="24")
    assert weecolab.name == "Weecolab"
    assert weecolab.website == "http://www.weecolab.com"
    assert weecolab.territory.code == "33063"


@pytest.mark.django_db
def test_synthetic_initiatives_are_labelled_as_fictional():
    synthetic = Initiative.objects.filter(source="demo")

    assert synthetic.count() == demo.SYNTHETIC_COUNT + demo.EMERGING_COUNT
    assert set(synthetic.values_list("is_synthetic", flat=True)) == {True}
    assert all(
        d.startswith("Exemple fictif")
        for d in synthetic.values_list("short_description", flat=True)
    )


@pytest.mark.django_db
def test_the_synthetic_set_holds_a_recent_local_movement():
    fridges = Initiative.objects.filter(source="demo", name__startswith="Frigo solidaire")

    assert fridges.count() == demo.EMERGING_COUNT
    assert min(fridges.values_list("start_date", flat=True)) >= demo.REFERENCE_DATE.replace(
        month=7, day=1
    )


@pytest.mark.django_db
def test_loading_the_demo_again_changes_nothing(capsys):
    before = list(Initiative.objects.order_by("id").values_list("id", "updated_at"))

    call_command("load_demo", "--force", verbosity=1)

    out = capsys.readouterr().out
    assert "tiers-lieux-2019: created 0, updated 0, unchanged 87, rejected 0" in out
    assert (
        f"demo: created 0, updated 0, unchanged {demo.SYNTHETIC_COUNT + demo.EMERGING_COUNT}" in out
    )
    assert list(Initiative.objects.order_by("id").values_list("id", "updated_at")) == before
