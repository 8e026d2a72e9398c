"""Residents follow a territory by e-mail, without an account: subscribe (double opt-in),
confirm, unsubscribe in one click, and the digest of what is new (sent with the
institutions' one by `send_digest`).

The links carry signed tokens (django.core.signing, keyed by SECRET_KEY) rather than stored
secrets: a confirmation link expires after CONFIRM_MAX_AGE, an unsubscribe link never does.
The same answer is given whether the address was subscribed or not."""

import hashlib
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from radar.models import Subscription
from radar.reports.news import whats_new_in
from radar.subscription_tasks import queue_subscription_email
from territories.models import Territory

CONFIRM_MAX_AGE = timedelta(days=7)
CONFIRM_SALT = "radar.subscription.confirm"
UNSUBSCRIBE_SALT = "radar.subscription.unsubscribe"
# Subscription requests per client address and per hour: each one sends an e-mail.
REQUESTS_PER_HOUR = 10


class SubscriptionRateLimited(Exception):
    """Too many subscription requests from one address this hour."""


def confirm_url(subscription: Subscription) -> str:
    token = signing.dumps(subscription.pk, salt=CONFIRM_SALT)
    return settings.SITE_URL + reverse("radar:subscription-confirm", args=[token])


def unsubscribe_url(subscription: Subscription) -> str:
    token = signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("radar:unsubscribe", args=[token])


def subscription_for_confirm_token(token: str) -> Subscription | None:
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return Subscription.objects.select_related("territory").filter(pk=pk).first()


def subscription_for_unsubscribe_token(token: str) -> Subscription | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Subscription.objects.select_related("territory").filter(pk=pk).first()


def _rate_check(ip: str) -> None:
    window = int(time.time() // 3600)
    key = f"subscriptions:{hashlib.sha256((ip or 'unknown').encode()).hexdigest()[:32]}:{window}"
    cache.add(key, 0, timeout=3600)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        attempts = 1
    if attempts > REQUESTS_PER_HOUR:
        raise SubscriptionRateLimited


@transaction.atomic
def subscription_request(*, email: str, territory: Territory, language: str, ip: str) -> None:
    """Send the confirmation link (or, to a confirmed subscriber, a reminder of how to stop).
    The caller answers the same either way: nothing tells who is subscribed."""
    _rate_check(ip)
    subscription, _created = Subscription.objects.get_or_create(
        email=email.strip().lower(), territory=territory, defaults={"language": language}
    )
    kind = "already" if subscription.confirmed_at else "confirm"
    if not subscription.confirmed_at and subscription.language != language:
        subscription.language = language
        subscription.save(update_fields=["language"])
    queue_subscription_email(subscription_id=subscription.pk, kind=kind)


def subscription_confirm(*, subscription: Subscription, at: datetime) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = at
        subscription.save(update_fields=["confirmed_at"])


def subscription_delete(*, subscription: Subscription) -> None:
    """Unsubscribing erases the address: nothing of the subscriber stays."""
    subscription.delete()


def subscriptions_purge_unconfirmed(*, now: datetime) -> int:
    """Unconfirmed requests whose link has expired: their addresses are erased."""
    expired = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - CONFIRM_MAX_AGE
    )
    return expired.delete()[0]


def send_subscriber_digests(*, now: datetime, period: timedelta) -> int:
    """What is new since the last digest, to each confirmed subscriber not sent one within the
    period; the number of digests sent. Idempotent per period, like the institutions'."""
    sent = 0
    due = Subscription.objects.filter(confirmed_at__isnull=False).select_related("territory")
    for subscription in due.order_by("id"):
        if subscription.last_sent_at and now - subscription.last_sent_at < period:
            continue
        since = subscription.last_sent_at or subscription.confirmed_at
        territories = Territory.objects.filter(pk=subscription.territory_id)
        if whats_new_in(territories=territories, since=since):
            queue_subscription_email(subscription_id=subscription.pk, kind="digest", since=since)
            sent += 1
        Subscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
    return sent


def subscription_email(*, subscription: Subscription, kind: str, since: datetime | None):
    """(subject, body) of an e-mail to the subscriber, in their language."""
    with override(subscription.language):
        context = {
            "territory": subscription.territory,
            "confirm_url": confirm_url(subscription),
            "unsubscribe_url": unsubscribe_url(subscription),
            "feed_url": settings.SITE_URL
            + reverse("radar:territory-feed", args=[subscription.territory.code]),
            "site_url": settings.SITE_URL,
        }
        place = subscription.territory.name
        if kind == "digest":
            territories = Territory.objects.filter(pk=subscription.territory_id)
            context["news"] = whats_new_in(territories=territories, since=since)
            subject = _("What is new in %(place)s") % {"place": place}
        elif kind == "already":
            subject = _("You already follow %(place)s") % {"place": place}
        else:
            subject = _("Confirm that you want to follow %(place)s") % {"place": place}
        return subject, render_to_string(f"radar/emails/subscription_{kind}.txt", context)
