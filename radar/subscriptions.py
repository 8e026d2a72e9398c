"""Residents follow a territory by e-mail, without an account: subscribe (double opt-in),
confirm, unsubscribe in one click, and the digest of what is new (sent with the
institutions' one by `send_digest`).

The links carry signed tokens (django.core.signing, keyed by SECRET_KEY) rather than stored
secrets: a confirmation link expires after CONFIRM_MAX_AGE, an unsubscribe link never does.
The same answer is given whether the address was subscribed or not.

Every e-mail goes through the outbox (initiatives.emails.queue_email): stored in the same
transaction as what causes it, sent by the task worker with its retries, with the one-click
unsubscribe headers (RFC 2369 and RFC 8058), which are erased with the body once sent. Each is
linked to its subscription (SubscriptionEmail): unsubscribing erases those not yet sent."""

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

from initiatives.emails import queue_email
from initiatives.models import OutgoingEmailKind
from radar.models import Subscription, SubscriptionEmail
from radar.reports.news import whats_new_in
from territories.models import Territory

CONFIRM_MAX_AGE = timedelta(days=7)
CONFIRM_SALT = "radar.subscription.confirm"
UNSUBSCRIBE_SALT = "radar.subscription.unsubscribe"
# Subscription requests per client address and per hour: each one sends an e-mail.
REQUESTS_PER_HOUR = 10
# The outbox's kind of each subscriber e-mail, by the name of its template.
EMAIL_KINDS = {
    "confirm": OutgoingEmailKind.SUBSCRIPTION_CONFIRM,
    "already": OutgoingEmailKind.SUBSCRIPTION_NOTICE,
    "digest": OutgoingEmailKind.SUBSCRIPTION_DIGEST,
}


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
    subscription_email_queue(subscription=subscription, kind=kind)


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
    period; the number of digests queued. Idempotent per period, like the institutions'."""
    sent = 0
    due = Subscription.objects.filter(confirmed_at__isnull=False).select_related("territory")
    for subscription in due.order_by("id"):
        if subscription.last_sent_at and now - subscription.last_sent_at < period:
            continue
        with transaction.atomic():  # the digest is queued with the date it was sent
            sent += _digest_queue(subscription=subscription, now=now)
    return sent


def _digest_queue(*, subscription: Subscription, now: datetime) -> bool:
    since = subscription.last_sent_at or subscription.confirmed_at
    territories = Territory.objects.filter(pk=subscription.territory_id)
    with override(subscription.language):  # the movements' summaries in their words
        news = whats_new_in(territories=territories, since=since)
    if news:
        subscription_email_queue(subscription=subscription, kind="digest", news=news)
    Subscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
    return bool(news)


def unsubscribe_headers(link: str) -> dict[str, str]:
    """One-click unsubscribe (RFC 2369 and RFC 8058): the mail client POSTs to the link."""
    return {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def subscription_email_queue(*, subscription: Subscription, kind: str, news=None) -> None:
    """Queue an e-mail to the subscriber in the outbox, with the caller's transaction."""
    link = unsubscribe_url(subscription)  # the same in the body and in the header
    subject, body = subscription_email(
        subscription=subscription, kind=kind, news=news, unsubscribe=link
    )
    email = queue_email(
        kind=EMAIL_KINDS[kind],
        to=subscription.email,
        subject=subject,
        body=body,
        headers=unsubscribe_headers(link),
    )
    SubscriptionEmail.objects.create(email=email, subscription=subscription)


def subscription_email(*, subscription: Subscription, kind: str, news=None, unsubscribe=""):
    """(subject, body) of an e-mail to the subscriber, in their language; `news` for a digest."""
    with override(subscription.language):
        context = {
            "territory": subscription.territory,
            "confirm_url": confirm_url(subscription),
            "unsubscribe_url": unsubscribe or unsubscribe_url(subscription),
            "feed_url": settings.SITE_URL
            + reverse("radar:territory-feed", args=[subscription.territory.code]),
            "site_url": settings.SITE_URL,
            "news": news,
        }
        place = subscription.territory.name
        if kind == "digest":
            subject = _("What is new in %(place)s") % {"place": place}
        elif kind == "already":
            subject = _("You already follow %(place)s") % {"place": place}
        else:
            subject = _("Confirm that you want to follow %(place)s") % {"place": place}
        return subject, render_to_string(f"radar/emails/subscription_{kind}.txt", context)
