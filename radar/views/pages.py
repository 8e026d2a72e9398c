"""The radar's public pages: the radar (map, tables, analyses), a territory's profile and its
figures as CSV. Browsing is public: the data are open."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from common.counting import BoundedCountPaginator, bounded_count
from common.spreadsheet import SpreadsheetSafeWriter
from initiatives import choices
from radar import charts, selectors
from radar.failures import AnalysisFailed, rows_or_failure
from radar.forms import GapThresholdForm, RadarFilterForm
from radar.parameters import GAP_LEVELS
from radar.reports.cache import ResultPending
from radar.reports.emerging import EmergingParams, emerging_rows, significant_near
from radar.reports.gaps import GapParams, cluster_note, gap_of, gaps_rows, white_zone_note
from radar.reports.insights import describe_insights, workshop_insights
from radar.reports.signals import signal_sentences
from radar.reports.trends import territories_with_a_pattern, trend_sentence
from radar.reports.words import number
from territories.models import Territory
from territories.selectors import territory_by_code

TABLE_LIMIT = 600  # every published initiative of the demo fits; the page stays light
PROFILE_PAGE_SIZE = 50  # initiatives asking for support on a territory's page
DEFAULT_LEVEL = "epci"


def radar_home(request):
    form = RadarFilterForm(request.GET)
    filters = form.radar_filters()
    level = request.GET.get("level")
    level = level if level in GAP_LEVELS else DEFAULT_LEVEL
    thresholds = GapThresholdForm(request.GET)
    params = GapParams(level=level, **thresholds.thresholds())
    try:
        gaps, gaps_pending = rows_or_failure(lambda: gaps_rows(params)[0]), False
    except ResultPending:  # thresholds nobody asked for yet: the worker computes them
        gaps, gaps_pending = [], True
    initiatives = selectors.radar_initiatives(filters=filters).only(
        "id", "name", "themes", "start_date", "territory__name", "territory__code"
    )
    asking = selectors.initiatives_asking_support(filters=filters).only(
        "id", "name", "needs", "territory__name"
    )
    count, estimated = bounded_count(initiatives)
    context = {
        "form": form,
        "level": level,
        # One screen of each table, whatever the size of the data.
        "initiatives": initiatives[:TABLE_LIMIT],
        "initiative_count": count,
        "initiative_count_estimated": estimated,
        "asking": asking[:TABLE_LIMIT],
        "asking_more": asking[TABLE_LIMIT : TABLE_LIMIT + 1].exists(),
        "table_limit": TABLE_LIMIT,
        # An analysis that cannot be computed is an empty table saying why (radar.failures).
        "gaps": gaps,
        "thresholds": thresholds,
        "gaps_pending": gaps_pending,
        "white_zone_note": ""
        if gaps_pending or not gaps
        else white_zone_note(
            gaps, min_population=params.min_population, radius_km=params.radius_km
        ),
        "cluster_note": "" if gaps_pending or not gaps else cluster_note(gaps, level=level),
        "thresholds_population": number(params.min_population, 0),
        "thresholds_radius": number(params.radius_km, 1),
        "emerging": rows_or_failure(lambda: emerging_rows(EmergingParams())[0]),
        "trends": rows_or_failure(lambda: territories_with_a_pattern(level=level)),
        "insights": _insights(),
        "supports": selectors.public_supports()[:100],
        "labels": choices.choice_labels(),
        "membership": selectors.membership_for(user=request.user),
    }
    return render(request, "radar/radar.html", context)


def _insights() -> dict:
    try:
        return describe_insights(workshop_insights())
    except AnalysisFailed as failure:
        return {"failure": failure}


def _territory_or_404(code: str) -> Territory:
    territory = territory_by_code(code=code)
    if territory is None:
        raise Http404(_("Unknown territory."))
    return territory


def _comparison(territory: Territory) -> list:
    """The territory's figures beside its parent's and its département's."""
    rows = [territory, territory.parent]
    rows.append(selectors.territory_ancestor(territory=territory, level="departement"))
    seen, figures = set(), []
    for row in rows:
        if row is not None and row.pk not in seen:
            seen.add(row.pk)
            figures.append(selectors.territory_figures(territory=row))
    return figures


def _signals(territory: Territory) -> list[str]:
    """What the analyses say of the territory, in sentences."""

    def emerging():
        return [
            _("Emerging movement: %(summary)s") % {"summary": row["summary"]}
            for row in significant_near([territory.geometry])[0]
        ]

    def trend():
        sentence = trend_sentence(territory=territory)
        return [sentence] if sentence else []

    def signals():
        return signal_sentences(territory=territory)

    return [sentence for part in (emerging, trend, signals) for sentence in _or_failure(part)]


def _or_failure(sentences) -> list[str]:
    """The sentences, or the recorded failure in words (radar.failures)."""
    try:
        return sentences()
    except AnalysisFailed as failure:
        return [failure.message]


def _gap_of(territory: Territory) -> dict | None:
    try:
        return gap_of(territory=territory)
    except AnalysisFailed:
        return None  # the signals say why


def _with_km(initiatives: list) -> list:
    for initiative in initiatives:
        initiative.distance_km = initiative.distance_m / 1000
    return initiatives


def territory_profile(request, code: str):
    territory = _territory_or_404(code)
    comparison = _comparison(territory)
    gap = _gap_of(territory)
    white_zone = bool(gap and gap["white_zone"])
    # A white zone, or simply a territory without an active initiative: where to go nearby.
    show_nearest = white_zone or comparison[0].initiatives == 0
    membership = selectors.membership_for(user=request.user)
    context = {
        "territory": territory,
        "comparison": comparison,
        "signals": _signals(territory),
        # One page of the list, whatever the number of initiatives in the territory.
        "asking": BoundedCountPaginator(
            selectors.initiatives_asking_support(territory=territory).order_by("name", "id"),
            PROFILE_PAGE_SIZE,
        ).get_page(request.GET.get("page")),
        "white_zone": white_zone,
        "gap": gap,
        "nearest": _with_km(selectors.nearest_initiatives(territory=territory))
        if show_nearest
        else [],
        "membership": membership,
        "is_followed": membership is not None
        and selectors.followed_territories(institution=membership.institution)
        .filter(pk=territory.pk)
        .exists(),
        **charts.profile_charts(selectors.territory_mix(territory=territory)),
    }
    return render(request, "radar/territory.html", context)


def territory_figures_csv(request, code: str):
    territory = _territory_or_404(code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="radar-{territory.code}.csv"'
    writer = SpreadsheetSafeWriter(response)
    writer.writerow(["code", "name", "level", "population", "initiatives", "per_10000"])
    for row in _comparison(territory):
        place = row.territory
        writer.writerow(
            [
                place.code,
                place.name,
                place.level,
                place.population or "",
                row.initiatives,
                "" if row.per_10k is None else row.per_10k,
            ]
        )
    mix = selectors.territory_mix(territory=territory)
    writer.writerow([])
    writer.writerow(["measure", "value", "initiatives"])
    for name, counter in (
        ("actor_type", mix.actor_types),
        ("economic_model", mix.economic_models),
        ("resource", mix.resources),
    ):
        for value, count in sorted(counter.items()):
            writer.writerow([name, value, count])
    for theme, years in mix.by_theme_year.items():
        for year, count in sorted(years.items()):
            writer.writerow([f"started_{year}", theme, count])
    return response
