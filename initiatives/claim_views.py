"""The claim page: "C'est votre initiative ?" on an initiative without a holder."""

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from initiatives.claims import claim_submit, claimable
from initiatives.clients import client_address
from initiatives.forms import error_summary
from initiatives.models import Claim
from initiatives.selectors import published_initiatives
from initiatives.services import SubmissionRateLimited


class ClaimForm(forms.ModelForm):
    # A trap for robots, as on the contribution form: a person leaves it empty.
    fax_number = forms.CharField(required=False, label=gettext_lazy("Leave this field empty"))

    class Meta:
        model = Claim
        fields = ["email", "role", "message"]
        labels = {
            "email": gettext_lazy("Your e-mail address"),
            "role": gettext_lazy("Your role in the initiative"),
            "message": gettext_lazy("Message to the moderators (optional)"),
        }
        help_texts = {
            "email": gettext_lazy("We send the private link there once a moderator agrees."),
            "role": gettext_lazy("For example: founder, treasurer, volunteer in charge."),
            "message": gettext_lazy("Anything that helps a moderator check it is yours."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fax_number"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("fax_number"))


def _page(request, initiative, form, status=200, sent=False):
    context = {
        "initiative": initiative,
        "form": form,
        "errors": error_summary(form) if form.is_bound else [],
        "sent": sent,
    }
    return render(request, "initiatives/claim.html", context, status=status)


@require_http_methods(["GET", "POST"])
def claim(request, pk: int):
    initiative = get_object_or_404(published_initiatives(), pk=pk)
    if not claimable(initiative):
        return redirect("initiatives:detail", pk=pk)
    if request.method != "POST":
        return _page(request, initiative, ClaimForm())
    form = ClaimForm(request.POST)
    if form.is_spam:
        message = _("Your request could not be accepted.")
        return render(request, "initiatives/refused.html", {"message": message}, status=400)
    if form.is_valid():
        try:
            claim_submit(
                initiative=initiative,
                data={k: form.cleaned_data[k] for k in ("email", "role", "message")},
                claimant_ip=client_address(request),
            )
        except SubmissionRateLimited:
            message = _("Too many requests were sent from your connection. Try again later.")
            response = render(request, "initiatives/refused.html", {"message": message}, status=429)
            response["Retry-After"] = "3600"
            return response
        return _page(request, initiative, ClaimForm(), sent=True)
    return _page(request, initiative, form, status=400)
