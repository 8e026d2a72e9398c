"""Reading files for the import commands: clear errors, never a traceback."""

from pathlib import Path

import geopandas as gpd
import pandas as pd
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def read_geofile(path: str, *, layer: str | None = None, encoding: str | None = None):
    if not Path(path).exists():
        raise CommandError(_("No such file: %(path)s") % {"path": path})
    # GDAL's GeoJSON driver would read codes such as "T0001" as times.
    options = {"DATE_AS_STRING": "YES"} if path.lower().endswith((".geojson", ".json")) else {}
    try:
        return gpd.read_file(path, layer=layer, encoding=encoding, engine="pyogrio", **options)
    except UnicodeDecodeError:
        raise CommandError(
            _("%(path)s is not in the expected encoding: give it with --encoding.") % {"path": path}
        ) from None
    except Exception as error:  # pyogrio raises several unrelated classes
        raise CommandError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        ) from None


def read_table(path: str, *, encoding: str = "utf-8") -> pd.DataFrame:
    if not Path(path).exists():
        raise CommandError(_("No such file: %(path)s") % {"path": path})
    try:
        return pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
    except UnicodeDecodeError:
        raise CommandError(
            _("%(path)s is not valid %(encoding)s: give its encoding with --encoding.")
            % {"path": path, "encoding": encoding}
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise CommandError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        ) from None


def require_columns(table: pd.DataFrame, columns: list[str], path: str) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise CommandError(
            ngettext(
                "%(path)s lacks the column %(missing)s; it has: %(columns)s.",
                "%(path)s lacks the columns %(missing)s; it has: %(columns)s.",
                len(missing),
            )
            % {"path": path, "missing": ", ".join(missing), "columns": ", ".join(table.columns)}
        )
