from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from territories.management.commands._files import read_table, require_columns
from territories.management.commands.import_territories import write_report
from territories.models import Territory
from territories.services import Group, TerritoryImportError, territories_build_level


class Command(BaseCommand):
    help = (
        "Build a higher level by union of member geometries: from a membership table "
        "(EPCI from communes) or from every member whose code starts with a prefix "
        "(the département from its communes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, choices=Territory.Level.values)
        parser.add_argument("--from-level", required=True, choices=Territory.Level.values)
        parser.add_argument("--membership", help="CSV: one row per member.")
        parser.add_argument("--member-field", default="member_code")
        parser.add_argument("--code-field", default="code")
        parser.add_argument("--name-field", default="name")
        parser.add_argument("--encoding", default="utf-8")
        parser.add_argument("--code", help="Without --membership: the code of the one territory.")
        parser.add_argument("--name", help="Without --membership: its name.")
        parser.add_argument("--members-prefix", default="", help="Members whose code starts so.")
        parser.add_argument("--parent-level", choices=Territory.Level.values)
        parser.add_argument("--parent-code")

    def handle(self, *args, **options):
        groups = self._groups(options)
        parent = self._parent(options)
        try:
            report = territories_build_level(
                level=options["level"],
                member_level=options["from_level"],
                groups=groups,
                parent=parent,
                progress=options["verbosity"] > 0,
            )
        except TerritoryImportError as error:
            raise CommandError(str(error)) from None
        write_report(self, report)

    def _groups(self, options) -> list[Group]:
        path = options["membership"]
        if path:
            table = read_table(path, encoding=options["encoding"])
            columns = [options["member_field"], options["code_field"], options["name_field"]]
            require_columns(table, columns, path)
            grouped = table.groupby(options["code_field"], sort=True)
            return [
                Group(code, rows[options["name_field"]].iloc[0], list(rows[columns[0]]))
                for code, rows in grouped
            ]
        if not (options["code"] and options["name"]):
            raise CommandError(_("Give --membership, or --code and --name."))
        members = Territory.objects.filter(
            level=options["from_level"], code__startswith=options["members_prefix"]
        ).values_list("code", flat=True)
        return [Group(options["code"], options["name"], list(members))]

    def _parent(self, options) -> Territory | None:
        if not options["parent_level"]:
            return None
        parent = Territory.objects.filter(
            level=options["parent_level"], code=options["parent_code"]
        ).first()
        if parent is None:
            raise CommandError(
                _("No parent territory %(code)s.") % {"code": options["parent_code"]}
            )
        return parent
