from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from initiatives import demo
from initiatives.models import Initiative
from initiatives.services import initiatives_import
from initiatives.signals import bulk_write
from territories.models import Territory

GIRONDE = Path(settings.BASE_DIR) / "fixtures" / "gironde"
EXPECTED = {"commune": 538, "epci": 28, "departement": 1}


class Command(BaseCommand):
    help = (
        "Load the Gironde demo: real territories and populations, the 87 third places of the "
        "2019 census, and a deterministic set of fictional initiatives. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Re-import even if loaded.")

    def handle(self, *args, **options):
        if not options["force"] and self._loaded():
            self.stdout.write("Demo already loaded (use --force to re-import).")
            return
        quiet = {"verbosity": min(options["verbosity"], 1), "stdout": self.stdout}
        self._territories(quiet)
        self._initiatives(options["verbosity"] > 0)

    def _loaded(self) -> bool:
        counts = {level: Territory.objects.filter(level=level).count() for level in EXPECTED}
        real = Initiative.objects.filter(source=demo.TIERS_LIEUX_SOURCE).count()
        synthetic = Initiative.objects.filter(source="demo").count()
        return (
            counts == EXPECTED
            and real == 87
            and synthetic == demo.SYNTHETIC_COUNT + demo.EMERGING_COUNT
        )

    def _territories(self, options) -> None:
        call_command(
            "import_territories",
            str(GIRONDE / "communes-33-gironde.geojson"),
            level="commune",
            code_field="code",
            name_field="nom",
            population_csv=str(GIRONDE / "populations-2023-gironde.csv"),
            population_code_field="insee_code",
            population_field="population_municipale",
            population_name_field="name",
            population_year=2023,
            population_source="INSEE, populations légales 2023 (population municipale)",
            **options,
        )
        call_command(
            "build_territories",
            level="departement",
            from_level="commune",
            code="33",
            name="Gironde",
            members_prefix="33",
            **options,
        )
        call_command(
            "build_territories",
            level="epci",
            from_level="commune",
            membership=str(GIRONDE / "epci-membership-2025-gironde.csv"),
            member_field="insee_code",
            code_field="epci_siren",
            name_field="epci_name",
            parent_level="departement",
            parent_code="33",
            **options,
        )

    def _initiatives(self, progress: bool) -> None:
        with bulk_write(sender=self.__class__):
            self._import_initiatives(progress)

    def _import_initiatives(self, progress: bool) -> None:
        for source, rows in (
            (
                demo.TIERS_LIEUX_SOURCE,
                demo.tiers_lieux_rows(GIRONDE / "tiers-lieux-2019-gironde.csv"),
            ),
            ("demo", demo.synthetic_rows()),
        ):
            report = initiatives_import(
                rows=rows, source=source, progress=progress, provenance=demo.PROVENANCE[source]
            )
            self.stdout.write(
                f"{source}: created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged}, rejected {len(report.rejected)}"
            )
            for line, reason in report.rejected:
                self.stderr.write(f"  {source} #{line}: {reason}")
