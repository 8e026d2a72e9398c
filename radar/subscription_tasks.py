"""Sending the subscribers' e-mails, as django.tasks tasks enqueued after commit: a request
never waits for the mail server. Every e-mail carries the one-click unsubscribe headers
(RFC 2369 and RFC 8058). The task receives the subscription's id, never the address: an
unsubscribed reader gets nothing, even from a task already queued."""

from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task


def queue_subscription_email(
    *, subscription_id: int, kind: str, since: datetime | None = None
) -> None:
    since_text = since.isoformat() if since else None
    transaction.on_commit(
        lambda: send_subscription_email.enqueue(subscription_id, kind, since_text)
    )


@task(queue_name="email")
def send_subscription_email(subscription_id: int, kind: str, since: str | None) -> bool:
    from radar.models import Subscription
    from radar.subscriptions import subscription_email, unsubscribe_url

    subscription = Subscription.objects.select_related("territory").filter(pk=subscription_id)
    subscription = subscription.first()
    if subscription is None:
        return False
    subject, body = subscription_email(
        subscription=subscription,
        kind=kind,
        since=datetime.fromisoformat(since) if since else None,
    )
    unsubscribe = unsubscribe_url(subscription)
    EmailMessage(
        subject=subject,
        body=body,
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()
    return True
