"""Vigilance signals per territory, from a table of initiatives.

Input columns: ``territory``, ``reciprocity`` (bool/None), ``animation``
('volunteers'|'paid_staff'|'both'|None), ``needs`` (list or None), ``actor_types`` (list),
``resources`` (list), ``collaboration_mode`` ('in_person'|'digital'|'hybrid'|None),
``last_confirmed`` (date or None).

Unknowns stay unknown: every indicator is a per-initiative flag that is 1, 0 or missing, and
each territory gets ``<flag>_yes``, ``<flag>_known``, ``<flag>_unknown`` and ``<flag>_share``
(= yes / known, NaN when nothing is known). As in the Initiative model, None, NaN, a blank
string and an empty list all mean "not said", never "no".
"""

import datetime as dt

import numpy as np
import pandas as pd

ACTOR_TYPES = ("public", "private", "associative", "citizen")
RESOURCES = ("volunteering", "public_funding", "private_funding", "earned_income")
FRAGILE_NEEDS = frozenset({"funding", "volunteers"})
INDEX = "territory"
FLAGS = (
    "reciprocity",
    "volunteer_only",
    "needs_funding_or_volunteers",
    "multi_resource",
    "digital_only",
    "stale",
)
COUNT_COLUMNS = [
    "n_initiatives",
    *[f"{flag}_{part}" for flag in FLAGS for part in ("yes", "known", "unknown")],
    *[f"resource_{kind}" for kind in RESOURCES],
    *[f"resource_kinds_{k}" for k in range(1, len(RESOURCES) + 1)],
    *[f"actor_{kind}" for kind in ACTOR_TYPES],
    "actor_known",
]


def _as_set(value) -> frozenset | None:
    """A list-like cell as a set; unknown stays None."""
    return None if known_value(value) is None else frozenset(value)


def known_value(value):
    """None for every flavour of "not said" (None, NaN, NA, "", empty list), else the value."""
    if isinstance(value, str | list | tuple | set | frozenset | np.ndarray):
        return value if len(value) else None
    return None if pd.isna(value) else value


def _flag(values: pd.Series, test) -> pd.Series:
    """1.0 / 0.0 by ``test``, NaN where the value is unknown."""
    return values.map(lambda v: np.nan if known_value(v) is None else float(bool(test(v))))


def initiative_flags(initiatives: pd.DataFrame, on: dt.date, stale_months: int = 12):
    """One row per initiative, one 1/0/NaN column per signal (see ``FLAGS``)."""
    cutoff = pd.Timestamp(on) - pd.DateOffset(months=stale_months)
    # UTC then naive, so that dates, naive and aware datetimes compare alike.
    confirmed = pd.to_datetime(initiatives["last_confirmed"], utc=True).dt.tz_localize(None)
    confirmed = confirmed.astype(object)
    flags = {
        "reciprocity": _flag(initiatives["reciprocity"], bool),
        "volunteer_only": _flag(initiatives["animation"], lambda a: a == "volunteers"),
        "needs_funding_or_volunteers": _flag(
            initiatives["needs"].map(_as_set), lambda n: n & FRAGILE_NEEDS
        ),
        "multi_resource": _flag(initiatives["resources"].map(_as_set), lambda r: len(r) > 1),
        "digital_only": _flag(initiatives["collaboration_mode"], lambda m: m == "digital"),
        # Confirmed exactly ``stale_months`` ago is still fresh; before that, stale.
        "stale": _flag(confirmed, lambda d: d < cutoff),
    }
    return pd.DataFrame(flags, index=initiatives.index)


def summarise_flags(flags: pd.DataFrame, territory: pd.Series) -> pd.DataFrame:
    """Per territory and flag: _yes, _known, _unknown, _share."""
    grouped = flags.groupby(territory.to_numpy())
    yes, known, total = grouped.sum(), grouped.count(), grouped.size()
    columns = {}
    for name in flags.columns:
        columns[f"{name}_yes"] = yes[name].astype(int)
        columns[f"{name}_known"] = known[name]
        columns[f"{name}_unknown"] = total - known[name]
        columns[f"{name}_share"] = yes[name] / known[name].where(known[name] > 0)
    return pd.DataFrame(columns).rename_axis(INDEX)


def kind_counts(lists: pd.Series, territory: pd.Series, kinds) -> pd.DataFrame:
    """Per territory, how many initiatives involve each kind (an initiative counts once per
    kind it involves). Unknown lists contribute nothing."""
    exploded = pd.DataFrame({"territory": territory.to_numpy(), "kind": lists.to_numpy()})
    exploded = exploded.explode("kind")
    exploded = exploded[exploded["kind"].isin(kinds)]
    counts = pd.crosstab(exploded["territory"], exploded["kind"])
    return counts.reindex(columns=list(kinds), fill_value=0).rename_axis(INDEX)


def mix_counts(lists: pd.Series, territory: pd.Series, most: int) -> pd.DataFrame:
    """Per territory, how many initiatives combine exactly 1, 2, ..., ``most`` kinds."""
    sizes = lists.map(lambda kinds: None if kinds is None else len(kinds))
    known = sizes.notna()
    counts = pd.crosstab(territory[known].to_numpy(), sizes[known].astype(int).to_numpy())
    return counts.reindex(columns=range(1, most + 1), fill_value=0).rename_axis(INDEX)


def shannon_evenness(counts) -> float:
    """H / ln(K) over K = len(counts) possible kinds, so territories are on the same scale.

    1 = all kinds equally present; 0 when a single kind is present; NaN when none is.
    The denominator is the number of *possible* kinds, not of kinds present: otherwise two
    kinds in equal parts would score as even as all four.
    """
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    if total == 0:
        return np.nan
    p = counts[counts > 0] / total
    return float(np.sum(p * np.log(1 / p)) / np.log(len(counts)))


def actor_diversity(
    initiatives: pd.DataFrame, dominance: float = 0.75, min_initiatives: int = 5
) -> pd.DataFrame:
    """Per territory: actor counts (actor_<kind>), actor_known (initiatives with known
    actors), actor_evenness, dominant_actor, dominant_share, single_actor_dominates.

    Shares are over actor mentions (the proportions of the evenness). The flag is
    True/False from ``min_initiatives`` initiatives with known actors, NA below.
    """
    actors = initiatives["actor_types"].map(_as_set)
    counts = kind_counts(actors, initiatives["territory"], ACTOR_TYPES)
    known = actors.notna().groupby(initiatives["territory"].to_numpy()).sum()
    shares = counts.div(counts.sum(axis=1).where(lambda s: s > 0), axis=0)
    out = counts.add_prefix("actor_").reindex(known.index, fill_value=0)
    out["actor_known"] = known
    out["actor_evenness"] = counts.apply(shannon_evenness, axis=1)
    out["dominant_actor"] = shares.idxmax(axis=1, skipna=True).where(shares.notna().any(axis=1))
    out["dominant_share"] = shares.max(axis=1)
    flag = (out["dominant_share"] >= dominance).astype("boolean")
    out["single_actor_dominates"] = flag.where(out["actor_known"] >= min_initiatives, pd.NA)
    return out.rename_axis(INDEX)


def territory_signals(
    initiatives: pd.DataFrame,
    on: dt.date,
    *,
    territories=None,
    stale_months: int = 12,
    dominance: float = 0.75,
    min_initiatives: int = 5,
) -> pd.DataFrame:
    """All vigilance signals, one row per territory (index ``territory``).

    Columns: n_initiatives; for each flag in reciprocity, volunteer_only,
    needs_funding_or_volunteers, multi_resource, digital_only, stale:
    ``<flag>_yes/_known/_unknown/_share``; resource_<kind> (initiatives using each kind of
    resource) and resource_kinds_1..4 (initiatives combining exactly k kinds); actor_<kind>,
    actor_known, actor_evenness, dominant_actor, dominant_share, single_actor_dominates.
    ``territories`` (codes) adds territories without initiatives (n_initiatives 0, shares
    NaN).
    """
    territory = initiatives["territory"]
    flags = summarise_flags(initiative_flags(initiatives, on, stale_months), territory)
    resources = initiatives["resources"].map(_as_set)
    resource_counts = kind_counts(resources, territory, RESOURCES).add_prefix("resource_")
    resource_mix = mix_counts(resources, territory, len(RESOURCES)).add_prefix("resource_kinds_")
    actors = actor_diversity(initiatives, dominance, min_initiatives)
    n = territory.value_counts().rename("n_initiatives").rename_axis(INDEX)
    out = pd.concat([n, flags, resource_counts, resource_mix, actors], axis=1)
    if territories is not None:
        out = out.reindex(pd.Index(territories, name=INDEX))
    out[COUNT_COLUMNS] = out[COUNT_COLUMNS].fillna(0).astype(int)
    return out
