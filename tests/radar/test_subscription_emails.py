"""The subscribers' e-mails go through the outbox like every other e-mail: stored with what
causes them, sent by the task worker with its retries and backoff, with the one-click
unsubscribe headers, which are erased with the address and the body once sent. Unsubscribing
erases what is not sent yet; moderators see a failed one by its kind and domain only."""

import io
import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from initiatives import tasks
from initiatives.models import Initiative, OutgoingEmail, OutgoingEmailKind, OutgoingEmailStatus
from radar import subscriptions
from radar.models import Subscription
from territories.selectors import territory_by_code
from tests.factories import make_initiative
from tests.opendata.helpers import body

pytestmark = pytest.mark.django_db
BEGLES = (-0.5475, 44.8086)
READER = "lecteur.secret@example.net"
DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "email", "radar", "imports"],
    }
}


@pytest.fixture
def database_tasks(settings):
    """Tasks wait in the database queue, as with the worker, instead of running at once."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def flaky_mail_server(monkeypatch):
    """The mail server refuses the first `failures["left"]` messages, then accepts."""
    failures = {"left": 1}
    send_messages = EmailBackend.send_messages

    def sometimes(self, messages):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        return send_messages(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", sometimes)
    return failures


def _subscribe(client, capture, email=READER, code="33039"):
    with capture(execute=True):
        response = client.post(reverse("radar:subscribe", args=[code]), {"email": email})
    assert response.status_code == 200
    return Subscription.objects.get(email=email, territory__code=code)


def _confirmed(email=READER, code="33039") -> Subscription:
    return Subscription.objects.create(
        email=email,
        territory=territory_by_code(code=code),
        confirmed_at=timezone.now() - timedelta(days=1),
    )


def _header_link(mail) -> str:
    header = mail.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http://") and header.endswith(">")
    return header[1:-1]


def _unsubscribed_by(mail) -> Subscription | None:
    """The subscription that the List-Unsubscribe link of a sent message ends."""
    link = _header_link(mail)
    if "/suivre/arreter/" in mail.body:  # the same link as in the body, for whoever reads it
        assert link in mail.body
    return subscriptions.subscription_for_unsubscribe_token(link.split("/")[-2])


def _subscription_emails():
    return OutgoingEmail.objects.filter(kind__startswith="subscription_")


def test_the_confirmation_is_an_outbox_email_sent_with_the_one_click_headers(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = _subscribe(client, django_capture_on_commit_callbacks)

    [email] = _subscription_emails()
    assert email.kind == OutgoingEmailKind.SUBSCRIPTION_CONFIRM
    assert email.subscription_link.subscription == subscription
    [mail] = mailoutbox
    assert mail.to == [READER]
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The header's link is the subscriber's own: a mail client's one-click POST unsubscribes.
    assert _unsubscribed_by(mail) == subscription
    path = "/" + _header_link(mail).split("://", 1)[1].split("/", 1)[1]
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_a_sent_subscriber_email_forgets_its_address_body_and_unsubscribe_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = _subscribe(client, django_capture_on_commit_callbacks)

    [email] = _subscription_emails()
    assert (email.status, email.attempts) == (OutgoingEmailStatus.SENT, 1)
    assert (email.to, email.body, email.headers) == ("", "", {})
    assert email.subject == "Confirmez que vous voulez suivre Bègles"
    # What the row no longer holds did reach the reader.
    assert _unsubscribed_by(mailoutbox[0]) == subscription
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_before_sending_the_row_holds_the_headers_in_the_callers_transaction(client):
    """Nothing is sent before the commit: the request only stores the e-mail."""
    response = client.post(reverse("radar:subscribe", args=["33039"]), {"email": READER})

    assert response.status_code == 200
    [email] = _subscription_emails()
    assert (email.status, email.to) == (OutgoingEmailStatus.PENDING, READER)
    subscription = Subscription.objects.get(email=READER)
    link = email.headers["List-Unsubscribe"].strip("<>")
    assert subscriptions.subscription_for_unsubscribe_token(link.split("/")[-2]) == subscription
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_refused_subscriber_email_is_retried_later_then_delivered_with_its_headers(
    client, database_tasks, flaky_mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    subscription = _subscribe(client, django_capture_on_commit_callbacks)
    [email] = _subscription_emails()
    task = DBTaskResult.objects.get(id=email.task_id)
    assert (task.status, task.queue_name, task.task_path) == (
        "READY",
        "email",
        "initiatives.tasks.deliver_email",
    )

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_email.call(email.pk) == "retry"  # what the worker runs
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmailStatus.PENDING, 1)
    assert email.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    retry = DBTaskResult.objects.get(id=email.task_id)
    assert retry.status == "READY" and retry.run_after == email.next_attempt_at
    assert round((retry.run_after - before).total_seconds()) == 30
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_email.call(email.pk) == "sent"

    email.refresh_from_db()
    assert (email.status, email.attempts, email.headers) == (OutgoingEmailStatus.SENT, 2, {})
    [mail] = mailoutbox
    assert mail.to == [READER]
    assert _unsubscribed_by(mail) == subscription
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_worker_delivers_a_queued_digest_with_its_headers(
    database_tasks, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    from initiatives.management.commands import run_worker

    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)
    Initiative.objects.update(created_at=timezone.now() - timedelta(days=30))
    subscription = _confirmed()
    make_initiative(name="Grainothèque de Bègles", lonlat=BEGLES)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digest", stdout=io.StringIO())
    [email] = _subscription_emails()
    assert (email.kind, email.status) == (OutgoingEmailKind.SUBSCRIPTION_DIGEST, "pending")
    assert mailoutbox == []

    call_command(
        "run_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "email",
        stdout=io.StringIO(),
    )  # fmt: skip

    email.refresh_from_db()
    assert (email.status, email.to, email.body, email.headers) == ("sent", "", "", {})
    [mail] = mailoutbox
    assert mail.subject == "Quoi de neuf — Bègles"
    assert "Grainothèque de Bègles" in mail.body
    assert _unsubscribed_by(mail) == subscription


def test_unsubscribing_erases_the_emails_not_yet_sent_to_that_subscription_only(
    client, mail_server_down, django_capture_on_commit_callbacks
):
    begles = _subscribe(client, django_capture_on_commit_callbacks, code="33039")
    _subscribe(client, django_capture_on_commit_callbacks, code="33063")
    assert _subscription_emails().filter(status=OutgoingEmailStatus.FAILED).count() == 2

    path = reverse("radar:unsubscribe", args=[subscriptions.unsubscribe_url(begles).split("/")[-2]])
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200

    [left] = _subscription_emails()
    assert left.subscription_link.subscription.territory.code == "33063"
    assert not OutgoingEmail.objects.filter(to=READER, subject__contains="Bègles").exists()


def test_an_expired_request_takes_its_undelivered_confirmation_with_it(
    client, mail_server_down, django_capture_on_commit_callbacks
):
    subscription = _subscribe(client, django_capture_on_commit_callbacks)
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )

    call_command("send_digest", stdout=io.StringIO())

    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    assert not _subscription_emails().exists()


@pytest.fixture
def mail_server_down(monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({READER: (550, b"5.1.1 Mailbox unavailable")})

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


@pytest.fixture
def moderator_client(client):
    user = User.objects.create_user("modo", password=None)
    user.groups.add(Group.objects.get(name="moderators"))
    client.force_login(user)
    return client


def test_moderators_see_a_failed_subscriber_email_by_its_kind_and_domain_only(
    client, moderator_client, mail_server_down, django_capture_on_commit_callbacks
):
    subscription = _subscribe(client, django_capture_on_commit_callbacks)
    [email] = _subscription_emails()
    assert email.status == OutgoingEmailStatus.FAILED  # the tests' tasks run at once
    assert READER not in email.last_error  # the refusal quoted it
    token = subscriptions.unsubscribe_url(subscription).split("/")[-2]

    page = moderator_client.get("/moderation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "<strong>Confirmation of a territory subscription</strong> · …@example.net" in page
    assert 'Send again<span class="visually-hidden"> to …@example.net</span>' in page
    assert "SMTPRecipientsRefused" in page
    assert READER not in page and "lecteur.secret" not in page
    assert "/suivre/" not in page and token.rsplit(":", 1)[1] not in page


def test_a_moderator_sends_a_subscriber_email_again_with_its_headers(
    client,
    moderator_client,
    monkeypatch,
    mail_server_down,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    _subscribe(client, django_capture_on_commit_callbacks)
    [email] = _subscription_emails()
    monkeypatch.undo()  # the mail server is back

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post("/moderation/", {"send_again": str(email.pk)})

    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.headers) == (OutgoingEmailStatus.SENT, {})
    [mail] = mailoutbox
    assert mail.to == [READER]
    assert "/suivre/arreter/" in mail.extra_headers["List-Unsubscribe"]


def _public_urls() -> list[str]:
    initiative = Initiative.objects.published().order_by("pk").first()
    return [
        "/",
        reverse("initiatives:detail", args=[initiative.pk]),
        reverse("radar:home"),
        reverse("radar:territory", args=["33039"]),
        reverse("radar:territory-csv", args=["33039"]),
        reverse("radar:territory-feed", args=["33039"]),
        reverse("radar:subscribe", args=["33039"]),
        reverse("opendata:index"),
        reverse("opendata:initiatives-geojson"),
        reverse("opendata:initiatives-csv"),
        reverse("opendata:initiatives-data-inclusion"),
        reverse("opendata:initiatives-lamednum"),
        reverse("api:initiative-list") + "?page_size=1000",
        reverse("api:territory-detail", args=["33039"]),
        reverse("ogc:items", args=["initiatives"]) + "?limit=10000",
    ]


def test_nothing_of_a_subscriber_email_appears_in_public_pages_api_or_exports(client):
    subscription = _confirmed()
    make_initiative(name="Grainothèque de Bègles", lonlat=BEGLES)
    Subscription.objects.filter(pk=subscription.pk).update(
        confirmed_at=timezone.now() - timedelta(days=30)
    )
    subscriptions.send_subscriber_digests(now=timezone.now(), period=timedelta(days=7))
    [email] = _subscription_emails()  # not sent: the test never commits
    link = email.headers["List-Unsubscribe"].strip("<>")
    token = link.split("/")[-2]
    assert email.to == READER and link in email.body

    for url in _public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response).decode("utf-8")
        assert READER not in text and "lecteur.secret" not in text, url
        assert token not in text and "/suivre/arreter/" not in text, url
