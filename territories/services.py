"""Writes of territories: import from any GDAL-readable file, build a level from its members."""

from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from territories.models import Territory

WGS84 = "EPSG:4326"


class TerritoryImportError(Exception):
    """A file that cannot be imported; nothing was stored."""


@dataclass
class Population:
    """Population figures by territory code, with their year and source."""

    values: dict[str, int]
    year: int | None
    source: str = ""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    without_population: list[str] = field(default_factory=list)
    population_without_geometry: list[str] = field(default_factory=list)
    members_without_geometry: list[str] = field(default_factory=list)
    members_without_population: list[str] = field(default_factory=list)


@dataclass
class TerritoryRow:
    code: str
    name: str
    geometry: MultiPolygon
    area_km2: float
    population: int | None = None
    population_year: int | None = None
    population_source: str = ""
    parent_code: str | None = None


def _as_multipolygon(geometry, label: str) -> tuple[shapely.MultiPolygon, bool]:
    """The feature's polygons as one valid MultiPolygon, and whether it had to be repaired."""
    if geometry is None or geometry.is_empty:
        raise TerritoryImportError(_("Feature %(label)s has no geometry.") % {"label": label})
    repaired = not geometry.is_valid
    if repaired:
        geometry = shapely.make_valid(geometry)
    polygons = [
        part
        for part in shapely.get_parts(geometry)
        if isinstance(part, shapely.Polygon) and not part.is_empty
    ]
    polygons += [
        poly
        for part in shapely.get_parts(geometry)
        if isinstance(part, shapely.MultiPolygon)
        for poly in part.geoms
    ]
    if not polygons:
        raise TerritoryImportError(
            _("Feature %(label)s is not a polygon (%(type)s).")
            % {"label": label, "type": geometry.geom_type}
        )
    return shapely.MultiPolygon(polygons), repaired


def _to_geos(geometry: shapely.MultiPolygon) -> MultiPolygon:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=4326)


def read_territory_frame(
    frame: gpd.GeoDataFrame,
    *,
    code_field: str,
    name_field: str,
    parent_field: str | None = None,
    source_crs: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Check columns and CRS, reproject to WGS84 and repair geometry. Returns the frame with
    columns code, name, parent_code, geometry, area_km2, and the labels of repaired features."""
    missing = [f for f in (code_field, name_field, parent_field) if f and f not in frame.columns]
    if missing:
        raise TerritoryImportError(
            ngettext(
                "Missing column: %(missing)s. Columns in the file: %(columns)s.",
                "Missing columns: %(missing)s. Columns in the file: %(columns)s.",
                len(missing),
            )
            % {"missing": ", ".join(missing), "columns": ", ".join(map(str, frame.columns))}
        )
    if frame.empty:
        raise TerritoryImportError(_("The file has no features."))
    if source_crs:
        frame = frame.set_crs(source_crs, allow_override=True)
    if frame.crs is None:
        raise TerritoryImportError(_("The file has no coordinate system: give one with --crs."))
    codes = frame[code_field].astype(str).str.strip()
    duplicated = sorted(set(codes[codes.duplicated()]))
    if duplicated:
        raise TerritoryImportError(
            _("Duplicate codes in the file: %(codes)s.") % {"codes": ", ".join(duplicated)}
        )
    frame = frame.to_crs(WGS84)
    geometries, repaired = [], []
    for index, (code, geometry) in enumerate(zip(codes, frame.geometry, strict=True), start=1):
        label = f"#{index} ({code_field}={code})"
        multipolygon, was_repaired = _as_multipolygon(geometry, label)
        geometries.append(multipolygon)
        if was_repaired:
            repaired.append(code)
    result = gpd.GeoDataFrame(
        {
            "code": codes.to_numpy(),
            "name": frame[name_field].astype(str).str.strip().to_numpy(),
            "parent_code": (
                frame[parent_field].astype(str).str.strip().to_numpy() if parent_field else None
            ),
        },
        geometry=geometries,
        crs=WGS84,
    )
    return result, repaired


def _area_km2(frame: gpd.GeoDataFrame, metric_srid: int) -> pd.Series:
    return (frame.geometry.to_crs(epsg=metric_srid).area / 1e6).round(4)


def territory_rows(
    frame: gpd.GeoDataFrame, *, population: Population | None, metric_srid: int
) -> tuple[list[TerritoryRow], ImportReport]:
    report = ImportReport()
    areas = _area_km2(frame, metric_srid)
    rows = []
    for record, area in zip(frame.itertuples(index=False), areas, strict=True):
        value = population.values.get(record.code) if population else None
        if population and value is None:
            report.without_population.append(record.code)
        rows.append(
            TerritoryRow(
                code=record.code,
                name=record.name,
                geometry=_to_geos(record.geometry),
                area_km2=float(area),
                population=value,
                population_year=population.year if value is not None else None,
                population_source=population.source if value is not None else "",
                parent_code=record.parent_code,
            )
        )
    report.without_population.sort()
    if population:
        known = set(frame["code"])
        report.population_without_geometry = sorted(set(population.values) - known)
    return rows, report


FIELDS = ("name", "area_km2", "population", "population_year", "population_source")


def _differs(territory: Territory, row: TerritoryRow, parent_id: int | None) -> bool:
    if any(getattr(territory, name) != getattr(row, name) for name in FIELDS):
        return True
    if parent_id != territory.parent_id:
        return True
    return not territory.geometry.equals_exact(row.geometry, tolerance=1e-9)


@transaction.atomic
def territories_upsert(
    *,
    level: str,
    rows: list[TerritoryRow],
    report: ImportReport,
    parent_level: str | None = None,
    progress: bool = False,
) -> ImportReport:
    """Create or update territories by (level, code): a re-run with the same data changes
    nothing. One transaction: any failure stores nothing."""
    existing = {t.code: t for t in Territory.objects.filter(level=level)}
    parents = _parents_by_code(parent_level, rows)
    to_create, to_update = [], []
    for row in tqdm(rows, desc=level, unit="feature", disable=not progress):
        territory = existing.get(row.code)
        # Without a parent code in the data, an existing parent is kept.
        parent_id = (
            parents.get(row.parent_code)
            if row.parent_code
            else getattr(territory, "parent_id", None)
        )
        if territory is None:
            to_create.append(Territory(level=level, code=row.code, parent_id=parent_id))
            territory = to_create[-1]
            report.created.append(row.code)
        elif _differs(territory, row, parent_id):
            to_update.append(territory)
            report.updated.append(row.code)
        else:
            report.unchanged.append(row.code)
            continue
        _assign(territory, row, parent_id)
    Territory.objects.bulk_create(to_create, batch_size=500)
    Territory.objects.bulk_update(
        to_update, [*FIELDS, "geometry", "parent_id", "updated_at"], batch_size=500
    )
    return report


def _assign(territory: Territory, row: TerritoryRow, parent_id: int | None) -> None:
    for name in FIELDS:
        setattr(territory, name, getattr(row, name))
    territory.geometry = row.geometry
    territory.parent_id = parent_id


def _parents_by_code(parent_level: str | None, rows: Iterable[TerritoryRow]) -> dict[str, int]:
    if not parent_level:
        return {}
    wanted = {row.parent_code for row in rows if row.parent_code}
    found = dict(
        Territory.objects.filter(level=parent_level, code__in=wanted).values_list("code", "id")
    )
    unknown = sorted(wanted - set(found))
    if unknown:
        raise TerritoryImportError(
            ngettext(
                "Unknown parent code at level %(level)s: %(codes)s.",
                "Unknown parent codes at level %(level)s: %(codes)s.",
                len(unknown),
            )
            % {"level": parent_level, "codes": ", ".join(unknown)}
        )
    return found


@dataclass
class Group:
    """A territory of the higher level and the codes of its members."""

    code: str
    name: str
    member_codes: list[str]


@transaction.atomic
def territories_build_level(
    *,
    level: str,
    member_level: str,
    groups: list[Group],
    parent: Territory | None = None,
    progress: bool = False,
) -> ImportReport:
    """Build territories of `level` as the union of their members' geometries (in PostGIS);
    their population is the sum of their members' when every member's is known. Members
    are attached to their new parent."""
    report = ImportReport()
    rows = []
    for group in tqdm(groups, desc=level, unit="territory", disable=not progress):
        row = _group_row(group, member_level, report)
        if row is not None:
            row.parent_code = parent.code if parent else None
            rows.append(row)
    territories_upsert(
        level=level, rows=rows, report=report, parent_level=parent.level if parent else None
    )
    _attach_members(level, member_level, groups)
    return report


def _attach_members(level: str, member_level: str, groups: list[Group]) -> None:
    """Members get the new territory as parent unless they already have a finer one (an EPCI
    is finer than the département), so that building the département after the EPCI (or
    before) gives the same tree, and a new membership table moves communes between EPCI."""
    rank = Territory.LEVEL_RANK[level]
    coarser = [other for other, other_rank in Territory.LEVEL_RANK.items() if other_rank <= rank]
    built = dict(Territory.objects.filter(level=level).values_list("code", "id"))
    for group in groups:
        Territory.objects.filter(
            Q(parent__isnull=True) | Q(parent__level__in=coarser),
            level=member_level,
            code__in=group.member_codes,
        ).exclude(parent_id=built.get(group.code)).update(parent_id=built.get(group.code))


def _group_row(group: Group, member_level: str, report: ImportReport) -> TerritoryRow | None:
    members = Territory.objects.filter(level=member_level, code__in=group.member_codes)
    found = list(members.values_list("code", "population", "population_year", "population_source"))
    placed = {row[0] for row in found}
    report.members_without_geometry += sorted(set(group.member_codes) - placed)
    if not found:
        return None
    union = members.aggregate(union=Union("geometry"))["union"]
    geometry = union if union.geom_type == "MultiPolygon" else MultiPolygon(union, srid=4326)
    # Members without population (e.g. communes merged since) are reported, and the sum
    # is that of the others: a merged commune's inhabitants are counted in its new commune.
    known = [row for row in found if row[1] is not None]
    report.members_without_population += sorted(row[0] for row in found if row[1] is None)
    years = {row[2] for row in known}
    sources = {row[3] for row in known}
    complete = bool(known) and len(years) == 1 and len(sources) == 1
    if not complete:
        report.without_population.append(group.code)
    return TerritoryRow(
        code=group.code,
        name=group.name,
        geometry=geometry,
        area_km2=Territory.compute_area_km2(geometry),
        population=sum(row[1] for row in known) if complete else None,
        population_year=years.pop() if complete else None,
        population_source=sources.pop() if complete else "",
    )
