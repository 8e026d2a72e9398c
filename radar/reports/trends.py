"""Emerging hot-spot trends of initiative starts per territory, after ESRI's Emerging Hot
Spot Analysis: Getis-Ord Gi* of the initiatives started each year, the Mann-Kendall trend of
each territory's z-scores, and its pattern, named in the request's language."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.selectors import InitiativeFilters
from radar.parameters import GAP_LEVELS, random_seed
from radar.reports import cache
from radar.reports.gaps import feature
from radar.reports.reading import LevelTerritories, initiative_rows
from territories.models import Territory

TREND_YEARS = 10
TREND_PERMUTATIONS = 9999  # 999 cannot pass the FDR correction over 538 communes: see trends
NO_PATTERN = "no_pattern"


@dataclass(frozen=True)
class TrendParams:
    level: str = "commune"
    inference: str = "permutation"
    years: int = TREND_YEARS
    end_year: int = 0  # 0 = this year
    seed: int = field(default_factory=random_seed)

    def resolved(self) -> "TrendParams":
        """The same with the end year set (this year if unset)."""
        if self.end_year:
            return self
        return TrendParams(**{**self.__dict__, "end_year": timezone.localdate().year})


def hotspot_trends_rows(
    params: TrendParams, territories: LevelTerritories | None = None
) -> tuple[list[dict], bool]:
    """Emerging hot-spot pattern of every territory of the level, with the pattern's name in
    the request's language, and whether the result is stale."""
    # This year's trends; last year's are served while they are computed.
    previous = None if params.end_year else {**params.resolved().__dict__}
    if previous:
        previous["end_year"] -= 1
    params = params.resolved()
    territories = territories or LevelTerritories(params.level)
    rows, stale = cache.cached_result(
        "trends", params.__dict__, lambda: _compute(params, territories), previous=previous
    )
    return [row | {"pattern_label": _(PATTERN_LABELS[row["pattern"]])} for row in rows], stale


def trend_features(params: TrendParams, *, with_geometry: bool = True) -> tuple[list[dict], bool]:
    """The same rows as GeoJSON features with their territory's polygon (read once), or with
    none (`geometry` null), as for the gaps."""
    territories = LevelTerritories(params.resolved().level)
    rows, stale = hotspot_trends_rows(params, territories)
    geometries = territories.geojson() if with_geometry else {}
    return [feature(row["code"], geometries.get(row["code"]), row) for row in rows], stale


def territories_with_a_pattern(*, level: str) -> list[dict]:
    """The territories of the level that show a pattern (the radar page's table)."""
    rows, _stale = hotspot_trends_rows(TrendParams(level=level))
    return [row for row in rows if row["pattern"] != NO_PATTERN]


def _compute(params: TrendParams, territories: LevelTerritories) -> list[dict]:
    # The scientific stack loads here, when a result is computed, not on a cache hit.
    from radar.analysis import trends
    from radar.reports import frames

    level = frames.territories_frame(territories)
    # Every published initiative that started, ended ones too: the question is where starts
    # cluster, year by year.
    initiatives = frames.initiatives_frame(
        initiative_rows(level=params.level, filters=InitiativeFilters())
    )
    years = list(range(params.end_year - params.years + 1, params.end_year + 1))
    summary, yearly = trends.hot_spot_trends(
        level,
        initiatives,
        years,
        permutations=TREND_PERMUTATIONS if params.inference == "permutation" else 0,
        seed=params.seed,
    )
    names = dict(zip(level["code"], level["name"], strict=True))
    return [
        _row(code, names[code], summary.loc[code], yearly.loc[code], frames.finite)
        for code in names
    ]


def _row(code, name, summary, yearly, finite) -> dict:
    spots = {1: "hot", -1: "cold", 0: None}
    return {
        "code": code,
        "name": name,
        "pattern": summary["pattern"],
        "mann_kendall_tau": finite(summary["mann_kendall_tau"]),
        "mann_kendall_z": finite(summary["mann_kendall_z"]),
        "trend_p": finite(summary["trend_p"]),
        "significant_years": sorted(summary["hot_years"] + summary["cold_years"]),
        "hot_years": summary["hot_years"],
        "cold_years": summary["cold_years"],
        "years": [
            {
                "year": int(year),
                "started": int(row["started"]),
                "gi_z": finite(row["z"]),
                "q": finite(row["q"]),
                "spot": spots[int(row["state"])],
            }
            for year, row in yearly.iterrows()
        ],
    }


# --- Words ---------------------------------------------------------------------------------

PATTERN_LABELS = {
    NO_PATTERN: gettext_noop("No pattern detected"),
    "new_hot_spot": gettext_noop("New hot spot"),
    "consecutive_hot_spot": gettext_noop("Consecutive hot spot"),
    "intensifying_hot_spot": gettext_noop("Intensifying hot spot"),
    "persistent_hot_spot": gettext_noop("Persistent hot spot"),
    "diminishing_hot_spot": gettext_noop("Diminishing hot spot"),
    "sporadic_hot_spot": gettext_noop("Sporadic hot spot"),
    "oscillating_hot_spot": gettext_noop("Oscillating hot spot"),
    "historical_hot_spot": gettext_noop("Historical hot spot"),
    "new_cold_spot": gettext_noop("New cold spot"),
    "consecutive_cold_spot": gettext_noop("Consecutive cold spot"),
    "intensifying_cold_spot": gettext_noop("Intensifying cold spot"),
    "persistent_cold_spot": gettext_noop("Persistent cold spot"),
    "diminishing_cold_spot": gettext_noop("Diminishing cold spot"),
    "sporadic_cold_spot": gettext_noop("Sporadic cold spot"),
    "oscillating_cold_spot": gettext_noop("Oscillating cold spot"),
    "historical_cold_spot": gettext_noop("Historical cold spot"),
}


def trend_sentence(*, territory: Territory) -> str:
    """The territory's emerging hot-spot pattern over the last years, when it has one."""
    if territory.level not in GAP_LEVELS:
        return ""
    rows, _stale = hotspot_trends_rows(TrendParams(level=territory.level))
    row = next((r for r in rows if r["code"] == territory.code), None)
    if row is None or row["pattern"] == NO_PATTERN:
        return ""
    return _("Trend of new initiatives over the years: %(pattern)s.") % {
        "pattern": row["pattern_label"]
    }
