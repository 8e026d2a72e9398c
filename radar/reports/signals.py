"""The workshop's warning signs for one territory: reciprocity, animation fragility,
diversity of actors, mix of resources, digital-only initiatives, freshness. Unknown answers
are counted apart, never as "no"."""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.choices import ActorType
from initiatives.selectors import InitiativeFilters
from radar.reports import cache
from radar.reports.reading import initiative_rows
from radar.reports.words import number, percent
from territories.models import Territory


def territory_signals(*, territory: Territory) -> dict:
    """The signs of the active initiatives that the territory owns at its level."""
    today = timezone.localdate()
    level, day = territory.level, today.isoformat()
    # Keyed by the day too: "active" and "fresh" are counted from it (radar.tasks refreshes it
    # just after midnight; yesterday's are served meanwhile, marked stale).
    by_code, stale = cache.cached_result(
        "signals",
        {"level": level, "day": day},
        lambda: compute_level(level, day=day),
        previous={"level": level, "day": (today - timedelta(days=1)).isoformat()},
    )
    values = by_code.get(territory.code)
    if values is None:  # a territory added since: its level's signals are being recomputed
        raise cache.ResultPending
    return {"territory": {"code": territory.code, "name": territory.name}, **values, "stale": stale}


def compute_level(level: str, *, day: str) -> dict[str, dict]:
    """The signs of every territory of the level on the day (ISO date), in one pass (the task
    worker warms them)."""
    # The scientific stack loads here, when a result is computed, not on a cache hit.
    from radar.analysis import signals
    from radar.reports import frames

    frame = frames.attributes(
        frames.initiatives_frame(initiative_rows(level=level, filters=InitiativeFilters()))
    )
    codes = list(Territory.objects.filter(level=level).values_list("code", flat=True))
    active = frame[frame["active"]]
    table = signals.territory_signals(active, date.fromisoformat(day), territories=codes)
    return {code: frames.plain(table.loc[code].to_dict()) for code in codes}


# --- Words ---------------------------------------------------------------------------------


def signal_sentences(*, territory: Territory) -> list[str]:
    """The workshop's warning signs for a territory, in words; unknowns are said as such."""
    s = territory_signals(territory=territory)
    n = s["n_initiatives"]
    if not n:
        return [_("No active initiative is known in this territory.")]
    sentences = []
    if s["reciprocity_share"] is not None:
        sentences.append(
            _(
                "Reciprocity: in %(share)s %% of the initiatives that answered (%(known)d of "
                "%(n)d), participants can contribute, not only receive."
            )
            % {"share": percent(s["reciprocity_share"]), "known": s["reciprocity_known"], "n": n}
        )
    if s["volunteer_only_share"] is not None:
        sentences.append(
            _("%(share)s %% are run by volunteers only: watch for volunteer burnout.")
            % {"share": percent(s["volunteer_only_share"])}
        )
    if s["needs_funding_or_volunteers_share"] is not None:
        sentences.append(
            _("%(share)s %% ask for funding or volunteers to keep going.")
            % {"share": percent(s["needs_funding_or_volunteers_share"])}
        )
    sentences += _actor_sentences(s)
    if s["multi_resource_share"] is not None:
        sentences.append(
            _("%(share)s %% combine several kinds of resources.")
            % {"share": percent(s["multi_resource_share"])}
        )
    if s["digital_only_share"] is not None:
        sentences.append(
            _("%(share)s %% are digital only: check that everyone can take part.")
            % {"share": percent(s["digital_only_share"])}
        )
    sentences.append(
        _("%(share)s %% have not been confirmed for a year.")
        % {"share": percent(s["stale_share"] or 0)}
    )
    return sentences


def _actor_sentences(s: dict) -> list[str]:
    if not s["actor_known"]:
        return [_("The kinds of actors involved are not known.")]
    sentences = [
        _(
            "Diversity of actors: %(evenness)s on a scale from 0 (a single kind) to 1 (every "
            "kind equally present)."
        )
        % {"evenness": number(s["actor_evenness"] or 0, 2)}
    ]
    if s["single_actor_dominates"]:
        sentences.append(
            _("One kind of actor dominates: %(kind)s (%(share)s %%).")
            % {
                "kind": ActorType(s["dominant_actor"]).label,
                "share": percent(s["dominant_share"]),
            }
        )
    return sentences
