"""Residents follow a territory without an account: the subscription form, the confirmation
and the one-click unsubscribe (radar.subscriptions). The pages never say whether an address
is subscribed."""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from initiatives.clients import client_address
from radar import subscriptions
from territories.selectors import territory_by_code


class SubscriptionForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        help_text=gettext_lazy(
            "Used only to send you this digest; never shown. You can stop at any time."
        ),
        max_length=254,
    )


def _territory(code: str):
    territory = territory_by_code(code=code)
    if territory is None:
        raise Http404(_("Unknown territory."))
    return territory


@require_http_methods(["GET", "POST"])
def subscribe(request, code: str):
    territory = _territory(code)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscriptions.subscription_request(
                email=form.cleaned_data["email"],
                territory=territory,
                language=get_language(),
                ip=client_address(request),
            )
        except subscriptions.SubscriptionRateLimited:
            return _page(request, "radar/follow/too_many.html", territory, status=429)
        return _page(request, "radar/follow/check_inbox.html", territory)
    status = 400 if form.is_bound else 200
    return _page(request, "radar/follow/subscribe.html", territory, form=form, status=status)


def _page(request, template, territory, status=200, **context):
    response = render(request, template, {"territory": territory, **context}, status=status)
    if status == 429:
        response["Retry-After"] = "3600"
    return response


@require_http_methods(["GET", "POST"])
def subscription_confirm(request, token: str):
    # A GET only shows the button: mail scanners open links, they must not confirm.
    subscription = subscriptions.subscription_for_confirm_token(token)
    if subscription is None:
        return render(request, "radar/follow/link_expired.html", status=404)
    if request.method == "POST":
        subscriptions.subscription_confirm(subscription=subscription, at=timezone.now())
    context = {"subscription": subscription, "territory": subscription.territory}
    return render(request, "radar/follow/confirm.html", context)


@csrf_exempt  # the signed token is the credential; mail clients POST it in one click (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    subscription = subscriptions.subscription_for_unsubscribe_token(token)
    if request.method == "POST":
        if subscription is not None:
            subscriptions.subscription_delete(subscription=subscription)
        return render(request, "radar/follow/unsubscribed.html")
    if subscription is None:  # already unsubscribed: say so, do not 404
        return render(request, "radar/follow/unsubscribed.html")
    return render(request, "radar/follow/unsubscribe.html", {"territory": subscription.territory})
