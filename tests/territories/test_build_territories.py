import pytest
from django.core.management import call_command

from territories.models import Territory


@pytest.mark.django_db
def test_the_demo_builds_the_28_epci_and_the_departement_from_their_communes():
    departement = Territory.objects.get(level="departement", code="33")
    epci = Territory.objects.filter(level="epci")

    assert departement.population == 1_690_493
    assert departement.area_km2 == pytest.approx(10_374, rel=0.01)
    assert epci.count() == 28
    assert set(epci.values_list("parent__code", flat=True)) == {"33"}
    assert sum(epci.values_list("population", flat=True)) == 1_690_493


@pytest.mark.django_db
def test_an_epci_covers_what_it_can_and_reports_members_without_geometry(tmp_path, capsys):
    membership = tmp_path / "members.csv"
    membership.write_text(
        "commune,siren,nom\n"
        "33063,E1,Test métropole\n33069,E1,Test métropole\n24335,E1,Test métropole\n"
    )

    call_command(
        "build_territories",
        level="epci",
        from_level="commune",
        membership=str(membership),
        member_field="commune",
        code_field="siren",
        name_field="nom",
        verbosity=1,
    )

    out = capsys.readouterr().out
    assert "Membres sans géométrie (1): 24335" in out
    built = Territory.objects.get(level="epci", code="E1")
    members = Territory.objects.filter(level="commune", code__in=["33063", "33069"])
    assert built.population == sum(m.population for m in members)
    assert built.area_km2 == pytest.approx(sum(m.area_km2 for m in members), rel=1e-3)
    assert set(members.values_list("parent__code", flat=True)) == {"E1"}


@pytest.mark.django_db
def test_rebuilding_the_departement_keeps_communes_under_their_epci():
    call_command(
        "build_territories",
        level="departement",
        from_level="commune",
        code="33",
        name="Gironde",
        members_prefix="33",
        verbosity=0,
    )

    parents = Territory.objects.filter(level="commune").values_list("parent__level", flat=True)
    assert sorted(set(parents)) == ["departement", "epci"]
    assert list(parents).count("departement") == 4  # merged since 2018: in no EPCI
