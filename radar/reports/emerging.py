"""Emerging movements: clusters of initiatives started recently, more than expected given
where and when initiatives start overall (Kulldorff's prospective space-time permutation
scan by month of start), most likely first, each with a sentence saying what it means."""

import functools
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from radar.parameters import random_seed
from radar.reports import cache
from radar.reports.reading import case_rows, initiative_names
from radar.reports.words import number
from territories.selectors import territory_containing

SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class EmergingParams:
    max_radius_km: float = 10.0
    max_months: int = 6
    min_cases: int = 3
    replications: int = 999
    seed: int = field(default_factory=random_seed)
    end: str = ""  # ISO date; empty = today


def emerging_rows(params: EmergingParams) -> tuple[list[dict], bool]:
    """The movements, most likely first, each with `significant` and its `summary` in the
    request's language, and whether the result is stale."""
    previous = None
    if not params.end:  # today's scan; yesterday's is served while it is computed
        today = timezone.localdate()
        previous = {**params.__dict__, "end": (today - timedelta(days=1)).isoformat()}
        params = EmergingParams(**{**params.__dict__, "end": today.isoformat()})
    rows, stale = cache.cached_result(
        "emerging", params.__dict__, lambda: _compute(params), previous=previous
    )
    words = [{"significant": _significant(row), "summary": _summary(row)} for row in rows]
    return [row | said for row, said in zip(rows, words, strict=True)], stale


def emerging_features(params: EmergingParams) -> tuple[list[dict], bool]:
    """The movements as GeoJSON circles, numbered from the most likely."""
    rows, stale = emerging_rows(params)
    features = [
        {
            "type": "Feature",
            "id": rank,
            "geometry": rounded_geojson(circle(row["center"], row["radius_km"])),
            "properties": row,
        }
        for rank, row in enumerate(rows, start=1)
    ]
    return features, stale


def significant_near(geometries: list[GEOSGeometry]) -> list[list[dict]]:
    """For each geometry, the significant movements whose circle meets it: one reading of
    the movements whatever the number of geometries."""
    rows, _stale = emerging_rows(EmergingParams())
    circles = [(row, circle(row["center"], row["radius_km"])) for row in rows if row["significant"]]
    return [[row for row, disc in circles if disc.intersects(g)] for g in geometries]


def circle(center: tuple[float, float], radius_km: float) -> Polygon:
    """A circle drawn in the metric projection, as a WGS84 polygon."""
    to_metric, to_wgs84 = _transforms(settings.RADAR_METRIC_SRID)
    point = Point(*center, srid=4326).transform(to_metric, clone=True)
    disc = point.buffer(max(radius_km, 0.2) * 1000, quadsegs=16)
    disc.srid = settings.RADAR_METRIC_SRID
    return disc.transform(to_wgs84, clone=True)


@functools.cache
def _transforms(srid: int):
    """WGS84 <-> metric, built once (building one costs more than using it)."""
    from django.contrib.gis.gdal import CoordTransform, SpatialReference

    wgs84, metric = SpatialReference(4326), SpatialReference(srid)
    return CoordTransform(wgs84, metric), CoordTransform(metric, wgs84)


def rounded_geojson(geometry: Polygon) -> dict:
    """A polygon as GeoJSON with 7 decimals (1 cm), like every public output."""
    document = json.loads(geometry.json)
    document["coordinates"] = [
        [[round(x, 7), round(y, 7)] for x, y in ring] for ring in document["coordinates"]
    ]
    return document


def _compute(params: EmergingParams) -> list[dict]:
    # The scientific stack loads here, when a result is computed, not on a cache hit.
    from radar.analysis.density import scan_input
    from radar.analysis.emerging import ScanParams, space_time_permutation_scan
    from radar.reports import frames

    end = date.fromisoformat(params.end)
    cases = frames.case_table(case_rows(end=end))
    if not len(cases):
        return []
    # Dense data are aggregated to a grid first (see radar.analysis.density).
    scanned = scan_input(cases, max_radius_km=params.max_radius_km)
    clusters = space_time_permutation_scan(
        **scanned.cases.as_kwargs(),
        params=ScanParams(
            end=end,
            max_radius_km=params.max_radius_km,
            time_unit="month",
            max_length=params.max_months,
            min_cases=params.min_cases,
            replications=params.replications,
            seed=params.seed,
        ),
    )
    ids = [scanned.original_ids(cluster.location_ids) for cluster in clusters]
    members = initiative_names(ids={pk for cluster_ids in ids for pk in cluster_ids})
    return [
        cluster.as_dict()
        | {
            "location_ids": cluster_ids,
            "center": [round(cluster.center[0], 7), round(cluster.center[1], 7)],
            "grid_km": scanned.cell_km,  # None: point by point
            "place": _place(cluster.center),
            # The cases: initiatives of the circle that started within the window.
            "initiatives": [
                {"id": pk, "name": members[pk][0]}
                for pk in cluster_ids
                if pk in members and cluster.start <= members[pk][1] <= cluster.end
            ],
        }
        for cluster, cluster_ids in zip(clusters, ids, strict=True)
    ]


def _place(center: tuple[float, float]) -> str:
    territory = territory_containing(point=Point(*center, srid=4326), level="commune")
    return territory.name if territory else ""


# --- Words ---------------------------------------------------------------------------------


def _significant(row: dict) -> bool:
    return row["p_value"] is not None and row["p_value"] < SIGNIFICANCE


def _summary(row: dict) -> str:
    start, end = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
    text = _(
        "%(observed)d initiatives started from %(start)s to %(end)s within %(radius)s km "
        "around %(place)s, where %(expected)s were expected."
    ) % {
        "observed": row["observed"],
        "start": formats.date_format(start, "F Y"),
        "end": formats.date_format(end, "F Y"),
        "radius": number(row["radius_km"], 1),
        "place": row["place"],
        "expected": number(row["expected"], 1),
    }
    if row["p_value"] is None:
        return text
    chance = _(
        " Such a grouping would arise by chance with probability %(p)s (p-value): about once "
        "every %(interval)s of monthly analyses."
    ) % {"p": number(row["p_value"], 3), "interval": _interval(row["recurrence_interval_days"])}
    verdict = (
        _(" It is statistically significant: a movement is emerging.")
        if _significant(row)
        else _(" It is not statistically significant.")
    )
    return text + chance + verdict


def _interval(days: float | None) -> str:
    if days is None:
        return "—"
    if days >= 730:
        return _("%(years)s years") % {"years": number(days / 365.25, 0)}
    return _("%(months)s months") % {"months": number(days / 30.44, 0)}
