"""The holder's answer to an offer of support: after opening their private link (the
session), or with the link's token. Nothing is public unless the holder accepts and agrees."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from initiatives.holders import held_initiative
from initiatives.selectors import initiative_holding_token
from initiatives.services import token_hash
from radar import services
from radar.forms import SupportAnswerForm
from radar.models import SupportOffer


def _initiative_for_token(token: str):
    if not token:
        return None
    return initiative_holding_token(token_hash=token_hash(token))


def support_answer(request, offer_id: int):
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
