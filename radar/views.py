"""The radar's pages. Browsing is public (the data are open); acting needs an institution
account. No view here changes an initiative: institutions offer, holders decide."""

import csv
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from initiatives import choices
from initiatives.holders import held_initiative
from initiatives.selectors import initiative_holding_token, published_initiatives
from initiatives.services import token_hash
from radar import selectors, services
from radar.forms import FollowForm, RadarFilterForm, SupportAnswerForm, SupportOfferForm
from radar.gap_forms import GapThresholdForm
from radar.layer_notes import cluster_note, white_zone_note
from radar.models import SupportOffer
from territories.models import Territory

LOGIN_URL = reverse_lazy("radar:login")
TABLE_LIMIT = 600  # every published initiative of the demo fits; the page stays light


def member_required(view):
    """Logged in (else the login page) and member of an institution (else 403)."""

    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        membership = selectors.membership_for(user=request.user)
        if membership is None:
            raise PermissionDenied(_("This page is for members of an institution."))
        request.membership = membership
        return view(request, *args, **kwargs)

    return wrapped


def _labels() -> dict[str, dict[str, str]]:
    lists = {
        "themes": choices.Theme,
        "actor_types": choices.ActorType,
        "collaboration_mode": choices.CollaborationMode,
        "needs": choices.Need,
    }
    return {name: {v: str(label) for v, label in c.choices} for name, c in lists.items()}


def radar_home(request):
    form = RadarFilterForm(request.GET)
    filters = form.radar_filters()
    level = request.GET.get("level") if request.GET.get("level") in ("commune", "epci") else "epci"
    thresholds = GapThresholdForm(request.GET)
    min_population, radius_km = thresholds.thresholds()
    gaps = selectors.gaps_table(level=level, min_population=min_population, radius_km=radius_km)
    initiatives = selectors.radar_initiatives(filters=filters).only(
        "id", "name", "themes", "start_date", "territory__name", "territory__code"
    )
    context = {
        "form": form,
        "level": level,
        "initiatives": initiatives[:TABLE_LIMIT],
        "initiative_count": initiatives.count(),
        "asking": selectors.initiatives_asking_support(filters=filters).only(
            "id", "name", "needs", "territory__name"
        ),
        "gaps": gaps,
        "thresholds": thresholds,
        "white_zone_note": white_zone_note(
            gaps, min_population=min_population, radius_km=radius_km
        ),
        "cluster_note": cluster_note(gaps, level=level),
        "thresholds_population": number_format(min_population, force_grouping=True),
        "thresholds_radius": number_format(radius_km, decimal_pos=1),
        "emerging": selectors.emerging_table(),
        "trends": selectors.trends_table(level=level),
        "insights": selectors.workshop_insights(),
        "supports": selectors.public_supports()[:100],
        "labels": _labels(),
        "membership": selectors.membership_for(user=request.user),
    }
    return render(request, "radar/radar.html", context)


def _territory_or_404(code: str) -> Territory:
    territory = selectors.territory_by_code(code=code)
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


def _bars(counter, choice_class) -> dict:
    """A horizontal bar chart: each bar labelled with its name and count, and patterned."""
    peak = max(counter.values(), default=0) or 1
    bars = []
    for index, (value, label) in enumerate(choice_class.choices):
        count = counter.get(value, 0)
        width = round(200 * count / peak)
        bars.append(
            {
                "label": str(label),
                "value": count,
                "width": width,
                "value_x": 156 + width,
                "y": 26 * index,
                "pattern": index % 11,
            }
        )
    return {"bars": bars, "height": 26 * len(bars) + 4}


def _timeline(mix) -> dict:
    """Stacked bars: per year, one patterned segment per theme, named in a legend."""
    themes = list(mix.by_theme_year)
    totals = {y: sum(mix.by_theme_year[t].get(y, 0) for t in themes) for y in mix.years}
    peak = max(totals.values(), default=0) or 1
    rows = []
    for row, year in enumerate(mix.years):
        offset, segments = 60, []
        for index, theme in enumerate(themes):
            width = round(300 * mix.by_theme_year[theme].get(year, 0) / peak)
            if width:
                segments.append({"pattern": index % 11, "x": offset, "width": width})
                offset += width
        rows.append(
            {
                "year": year,
                "total": totals[year],
                "segments": segments,
                "y": 22 * row,
                "total_x": offset + 6,
            }
        )
    return {"rows": rows, "height": 22 * len(rows) + 4}


def _signals(territory: Territory) -> list[str]:
    from radar import analytics  # the scientific stack loads on first use

    emerging = [
        _("Emerging movement: %(summary)s") % {"summary": row["summary"]}
        for row in analytics.emerging_near(territory=territory)
    ]
    trend = analytics.trend_sentence(territory=territory)
    return emerging + ([trend] if trend else []) + analytics.signal_sentences(territory=territory)


def _with_km(initiatives: list) -> list:
    for initiative in initiatives:
        initiative.distance_km = initiative.distance_m / 1000
    return initiatives


def _gap_row(territory: Territory) -> dict | None:
    """The territory's line in the gap analysis (when available at its level)."""
    if territory.level not in ("commune", "epci"):
        return None
    rows = selectors.gaps_table(level=territory.level)
    return next((row for row in rows if row.get("code") == territory.code), None)


def _charts(mix) -> dict:
    return {
        "mix": mix,
        "timeline": _timeline(mix),
        "theme_legend": [
            {"label": str(choices.Theme(t).label), "pattern": i % 11}
            for i, t in enumerate(mix.by_theme_year)
        ],
        "actor_bars": _bars(mix.actor_types, choices.ActorType),
        "model_bars": _bars(mix.economic_models, choices.EconomicModel),
        "resource_bars": _bars(mix.resources, choices.Resource),
    }


def territory_profile(request, code: str):
    territory = _territory_or_404(code)
    comparison = _comparison(territory)
    gap = _gap_row(territory)
    white_zone = bool(gap and gap["white_zone"])
    # A white zone, or simply a territory without an active initiative: where to go nearby.
    show_nearest = white_zone or comparison[0].initiatives == 0
    membership = selectors.membership_for(user=request.user)
    context = {
        "territory": territory,
        "comparison": comparison,
        "signals": _signals(territory),
        "asking": selectors.initiatives_asking_support(territory=territory),
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
        **_charts(selectors.territory_mix(territory=territory)),
    }
    return render(request, "radar/territory.html", context)


def territory_figures_csv(request, code: str):
    territory = _territory_or_404(code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="radar-{territory.code}.csv"'
    writer = csv.writer(response)
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


@member_required
def institution_home(request):
    membership = request.membership
    institution = membership.institution
    now = timezone.now()
    context = {
        "institution": institution,
        "followed": selectors.followed_territories(institution=institution),
        "news": selectors.whats_new(institution=institution, since=membership.last_visit_at),
        "since": membership.last_visit_at,
        "offers": selectors.offers_of_institution(institution=institution),
        "follow_form": FollowForm(),
    }
    services.membership_mark_visited(membership=membership, at=now)
    return render(request, "radar/institution.html", context)


@require_POST
@member_required
def follow(request):
    form = FollowForm(request.POST)
    territory = None
    if form.is_valid():
        territory = selectors.territory_by_code(code=form.cleaned_data["territory"].strip())
    if territory is None:
        messages.error(request, _("Unknown territory code."))
        return redirect("radar:institution")
    services.follow_create(
        institution=request.membership.institution, user=request.user, territory=territory
    )
    messages.success(request, _("You now follow %(name)s.") % {"name": territory.name})
    if request.POST.get("from_profile"):
        return redirect("radar:territory", code=territory.code)
    return redirect("radar:institution")


@require_POST
@member_required
def unfollow(request, code: str):
    territory = _territory_or_404(code)
    services.follow_delete(
        institution=request.membership.institution, user=request.user, territory=territory
    )
    messages.success(request, _("You no longer follow %(name)s.") % {"name": territory.name})
    return redirect("radar:institution")


@member_required
def support_offer_create(request, pk: int):
    initiative = get_object_or_404(published_initiatives(), pk=pk)
    form = SupportOfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_offer_create(
                institution=request.membership.institution,
                user=request.user,
                initiative=initiative,
                kind=form.cleaned_data["kind"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your offer was sent. The initiative is free to accept or decline it."),
            )
            return redirect("radar:institution")
    return render(
        request,
        "radar/support_offer.html",
        {"form": form, "initiative": initiative, "can_offer": bool(initiative.needs)},
        status=403 if not initiative.needs else 400 if form.errors else 200,
    )


@require_POST
@member_required
def support_offer_withdraw(request, offer_id: int):
    offer = get_object_or_404(SupportOffer, pk=offer_id, institution=request.membership.institution)
    try:
        services.support_offer_withdraw(offer=offer, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The offer was withdrawn."))
    return redirect("radar:institution")


def _initiative_for_token(token: str):
    if not token:
        return None
    return initiative_holding_token(token_hash=token_hash(token))


def support_answer(request, offer_id: int):
    """The holder answers an offer: after opening their private link (the session), or with
    the link's token."""
    token = request.POST.get("token") or request.GET.get("token", "")
    initiative = _initiative_for_token(token) if token else held_initiative(request)
    offer = get_object_or_404(SupportOffer.objects.select_related("institution"), pk=offer_id)
    if initiative is None or offer.initiative_id != initiative.pk:
        raise Http404(_("This link is not valid."))
    form = SupportAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_offer_answer(
                offer=offer,
                accept=form.cleaned_data["decision"] == "accept",
                public=form.cleaned_data["public"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Not a flash message: the holder has no session, and the answer shows below.
            url = reverse("radar:support-answer", args=[offer.pk])
            query = {"token": token, "answered": 1} if token else {"answered": 1}
            return redirect(f"{url}?{urlencode(query)}")
    return render(
        request,
        "radar/support_answer.html",
        {
            "offer": offer,
            "initiative": initiative,
            "form": form,
            "token": token,
            "answered": request.GET.get("answered") == "1",
        },
    )
