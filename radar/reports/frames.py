"""The reports' rows as tables for radar.analysis, and computed values made plain again for
the cache and JSON.

This module loads the scientific stack (geopandas, pandas, shapely): the report modules
import it only when a result is computed, never when it is served from the cache."""

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from radar.analysis.emerging import CaseTable
from radar.reports.reading import INITIATIVE_COLUMNS, LevelTerritories

WGS84 = "EPSG:4326"


def territories_frame(territories: LevelTerritories) -> gpd.GeoDataFrame:
    """Every territory of the level: code, name, population and polygon, by code."""
    rows = territories.rows
    codes, names, populations, wkbs, _geojson = zip(*rows, strict=True) if rows else ([],) * 5
    return gpd.GeoDataFrame(
        {"code": codes, "name": names, "population": pd.array(populations, dtype="Float64")},
        geometry=shapely.from_wkb(list(wkbs)),
        crs=WGS84,
    )


def initiatives_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """The initiatives (radar.reports.reading.initiative_rows) as points, with
    `last_confirmed` (the last confirmation, else the creation)."""
    frame = pd.DataFrame(rows, columns=[*INITIATIVE_COLUMNS, "territory", "lon", "lat", "active"])
    frame["active"] = frame["active"].astype(bool)
    frame["last_confirmed"] = frame["last_confirmed_at"].fillna(frame["created_at"])
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84
    )


def attributes(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """The table without its points, for the analyses that read attributes only."""
    return pd.DataFrame(frame.drop(columns="geometry"))


def case_table(rows: list[tuple]) -> CaseTable:
    """Cases of the emerging-cluster scan (radar.reports.reading.case_rows): one per
    initiative, at its location, on its start date; the location id is the initiative's."""
    ids = [row[0] for row in rows]
    return CaseTable(
        location_ids=ids,
        lon=np.array([row[1] for row in rows], dtype=float),
        lat=np.array([row[2] for row in rows], dtype=float),
        dates=[row[3] for row in rows],
        counts=np.ones(len(ids), dtype=np.int64),
    )


def finite(value) -> float | None:
    """A float for JSON: None for missing, NaN and infinite values."""
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def plain(values: dict) -> dict:
    """numpy and pandas scalars as plain Python values (floats to 4 decimals)."""
    out = {}
    for key, value in values.items():
        if isinstance(value, (np.bool_, bool)):
            out[key] = bool(value)
        elif isinstance(value, (int, np.integer)):
            out[key] = int(value)
        elif value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            out[key] = None
        elif isinstance(value, (float, np.floating)):
            out[key] = round(float(value), 4)
        else:
            out[key] = value
    return out
