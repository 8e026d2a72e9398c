"""The institution space: members follow territories, see what is new there, and offer
support to initiatives that ask for it."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from initiatives.selectors import published_initiatives
from radar import selectors, services
from radar.forms import FollowForm, SupportOfferForm
from radar.models import SupportOffer
from radar.reports.news import whats_new
from territories.selectors import territory_by_code

LOGIN_URL = reverse_lazy("radar:login")


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


@member_required
def institution_home(request):
    membership = request.membership
    institution = membership.institution
    now = timezone.now()
    context = {
        "institution": institution,
        "followed": selectors.followed_territories(institution=institution),
        "news": whats_new(institution=institution, since=membership.last_visit_at),
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
        territory = territory_by_code(code=form.cleaned_data["territory"].strip())
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
    territory = territory_by_code(code=code)
    if territory is None:
        raise Http404(_("Unknown territory."))
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
