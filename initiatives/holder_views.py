"""The holder's pages beside the private page itself: "Retrouver mon lien" and the
confirmation before erasing."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from initiatives.clients import client_address
from initiatives.forms import error_summary
from initiatives.holder_forms import LinkRecoveryForm
from initiatives.private_links import private_links_recover
from initiatives.services import SubmissionRateLimited


@require_http_methods(["GET", "POST"])
def recover_link(request):
    """Enter the e-mail; a new private link goes to it if an initiative uses it. The answer is
    the same whether one does or not."""
    form = LinkRecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            private_links_recover(email=form.cleaned_data["email"], ip=client_address(request))
        except SubmissionRateLimited:
            response = render(
                request,
                "initiatives/refused.html",
                {"message": _("Too many requests from your connection. Please try again later.")},
                status=429,
            )
            response["Retry-After"] = "3600"
            return response
        return render(request, "initiatives/recover_link_sent.html", {})
    status = 400 if form.is_bound else 200
    return render(
        request,
        "initiatives/recover_link.html",
        {"form": form, "errors": error_summary(form) if form.is_bound else []},
        status=status,
    )


def erase_confirmation(request, initiative):
    """What erasing takes away, and the button that does it. Offers of support belong to the
    radar app, above this one: they are counted through the reverse relation it adds."""
    offers = getattr(initiative, "support_offers", None)
    context = {
        "initiative": initiative,
        "revisions": initiative.revisions.count(),
        "offers": offers.count() if offers is not None else 0,
    }
    return render(request, "initiatives/erase_confirm.html", context)
