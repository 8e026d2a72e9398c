"""Why a layer of the radar's map is empty, and what to change to see something."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def _number(value: float, decimals: int = 0) -> str:
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def white_zone_note(rows: list[dict], *, min_population: int, radius_km: float) -> str:
    """Empty when there are white zones; otherwise why there are none."""
    if any(row["white_zone"] for row in rows):
        return ""
    populated = [
        row for row in rows if row["population"] is not None and row["population"] >= min_population
    ]
    if not populated:
        return _(
            "No white zone: no territory of this level has %(population)s inhabitants or more. "
            "Lower the population threshold in the filters."
        ) % {"population": _number(min_population)}
    farthest = max(populated, key=lambda row: row["nearest_distance_m"] or 0)
    return _(
        "No white zone with these thresholds: every territory of at least %(population)s "
        "inhabitants has an active initiative within %(radius)s km (the farthest, %(name)s, is "
        "%(distance)s km from one). Lower the population threshold or the distance in the "
        "filters to see the least served."
    ) % {
        "population": _number(min_population),
        "radius": _number(radius_km, 1),
        "name": farthest["name"],
        "distance": _number((farthest["nearest_distance_m"] or 0) / 1000, 1),
    }


def cluster_note(rows: list[dict], *, level: str) -> str:
    """Empty when there are significant clusters; otherwise why there are none."""
    if any(row["cluster"] in ("high", "low") for row in rows):
        return ""
    note = _(
        "No significant cluster: no territory's rate differs from its neighbours' more than "
        "chance would give (Getis-Ord Gi*, false discovery rate %(rate)s)."
    ) % {"rate": _("%(percent)s %%") % {"percent": _number(5)}}
    if level != "commune":
        note += " " + _(
            "With only %(count)s territories at this level the test has little power: choose "
            "the municipality level in the filters."
        ) % {"count": _number(len(rows))}
    return note
