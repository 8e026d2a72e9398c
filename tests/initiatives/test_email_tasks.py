"""E-mails are queued with the change they tell of and sent by the task worker, with retries
and exponential backoff; a submission's answer never depends on the mail server; a failure
after every retry shows in the moderators' queue."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from initiatives import emails, tasks
from initiatives.models import Initiative, OutgoingEmail, OutgoingEmailKind, OutgoingEmailStatus
from tests.factories import BORDEAUX, make_initiative

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "email", "radar", "imports"],
    }
}
API = "/api/v1/submissions/"
FORM = "/contribuer/"


@pytest.fixture
def mail_server_down(monkeypatch):
    def refuse(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def api_body(**overrides) -> str:
    data = {
        "name": "Atelier vélo solidaire",
        "short_description": "On répare son vélo avec des bénévoles.",
        "themes": ["mobility"],
        "location": {"type": "Point", "coordinates": list(BORDEAUX)},
        "contact_email": "cyclist@example.net",
    } | overrides
    return json.dumps(data)


def form_body(**overrides) -> dict:
    return {
        "name": "Repair café de Talence",
        "short_description": "On répare ensemble le samedi matin.",
        "themes": ["repair_reuse"],
        "lon": str(BORDEAUX[0]),
        "lat": str(BORDEAUX[1]),
        "contact_email": "resident@example.net",
    } | overrides


def queued(**overrides) -> OutgoingEmail:
    values = {
        "kind": OutgoingEmailKind.PRIVATE_LINK,
        "to": "holder@example.net",
        "subject": "Votre initiative",
        "body": "http://127.0.0.1:8000/mon-initiative/secret/",
    }
    return OutgoingEmail.objects.create(**(values | overrides))


def test_an_api_submission_is_acknowledged_while_the_mail_server_is_down(
    client, mail_server_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, api_body(), content_type="application/json")

    assert response.status_code == 201
    initiative = Initiative.objects.get(pk=response.json()["id"])
    [email] = initiative.emails.all()
    assert email.kind == OutgoingEmailKind.PRIVATE_LINK
    assert email.status == OutgoingEmailStatus.FAILED  # the tests' tasks run at once
    assert email.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"


def test_a_form_submission_is_acknowledged_while_the_mail_server_is_down(
    client, mail_server_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM, form_body())

    assert response.status_code == 200
    assert "/mon-initiative/" in response.content.decode()
    assert Initiative.objects.filter(name="Repair café de Talence").exists()


def test_the_answer_does_not_wait_for_the_mail_server(client, mail_server_down):
    """Before the commit nothing is sent: the request only stores the e-mail."""
    response = client.post(API, api_body(), content_type="application/json")

    assert response.status_code == 201
    [email] = OutgoingEmail.objects.filter(initiative_id=response.json()["id"])
    assert (email.status, email.attempts) == (OutgoingEmailStatus.PENDING, 0)


def test_a_sent_email_forgets_its_address_and_its_private_link(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queued()
        tasks.enqueue_delivery(email.pk)

    email.refresh_from_db()
    assert mailoutbox[0].to == ["holder@example.net"]
    assert (email.status, email.attempts, email.to, email.body) == ("sent", 1, "", "")


def test_a_failed_attempt_is_retried_later_with_exponential_backoff(
    settings, database_tasks, mail_server_down, django_capture_on_commit_callbacks
):
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    email = queued()
    waits = []
    for _attempt in range(3):
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.deliver_email.call(email.pk) == "retry"
        email.refresh_from_db()
        retry = DBTaskResult.objects.get(id=email.task_id)
        assert retry.status == "READY"
        assert retry.task_path == "initiatives.tasks.deliver_email"
        assert retry.args_kwargs == {"args": [email.pk], "kwargs": {}}
        assert retry.run_after == email.next_attempt_at
        waits.append(round((email.next_attempt_at - before).total_seconds()))

    assert waits == [30, 60, 120]
    assert email.attempts == 3
    assert email.status == OutgoingEmailStatus.PENDING


def test_the_backoff_doubles_up_to_an_hour(settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    delays = [tasks.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_after_the_last_attempt_the_email_is_marked_failed(
    settings, database_tasks, mail_server_down, django_capture_on_commit_callbacks
):
    settings.EMAIL_RETRY_ATTEMPTS = 3
    email = queued(attempts=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.deliver_email.call(email.pk) == "failed"

    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 3, None)
    assert callbacks == []  # nothing more enqueued


def test_the_worker_sends_a_submission_email_from_the_database_queue(
    client, database_tasks, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    from initiatives.management.commands import run_worker

    # The worker refreshes its connection between tasks; here it must keep the test's.
    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, api_body(), content_type="application/json")
    assert response.status_code == 201
    [email] = OutgoingEmail.objects.filter(initiative_id=response.json()["id"])
    task = DBTaskResult.objects.get(id=email.task_id)
    assert (task.status, task.queue_name) == ("READY", "email")
    assert mailoutbox == []

    call_command(
        "run_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "email",
        stdout=io.StringIO(),
    )  # fmt: skip

    task.refresh_from_db()
    email.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert email.status == OutgoingEmailStatus.SENT
    assert [m.to for m in mailoutbox] == [["cyclist@example.net"]]
    assert "/mon-initiative/" in mailoutbox[0].body


def test_a_lost_task_is_enqueued_again(database_tasks):
    email = queued(task_id="")
    OutgoingEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )

    assert tasks.resume_stalled_emails() == 1
    email.refresh_from_db()
    assert DBTaskResult.objects.get(id=email.task_id).status == "READY"
    assert tasks.resume_stalled_emails() == 0  # its task is now waiting


def test_a_name_with_a_line_break_makes_a_one_line_subject(
    django_capture_on_commit_callbacks, mailoutbox
):
    initiative = make_initiative(
        name="Jardin\r\nBcc: victim@example.org", contact_email="holder@example.net"
    )
    with django_capture_on_commit_callbacks(execute=True):
        emails.send_private_link(initiative=initiative, token="secret")

    [mail] = mailoutbox
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert "Jardin Bcc: victim@example.org" in mail.subject
    assert mail.to == ["holder@example.net"] and mail.bcc == []


@pytest.fixture
def moderator_client(client):
    user = User.objects.create_user("modo", password=None)
    user.groups.add(Group.objects.get(name="moderators"))
    client.force_login(user)
    return client


def test_the_moderators_queue_shows_an_email_that_still_failed(moderator_client):
    submission = make_initiative(status="pending", name="Ressourcerie du quai")
    queued(
        initiative=submission,
        status=OutgoingEmailStatus.FAILED,
        attempts=9,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )

    page = moderator_client.get("/moderation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "1 e-mail could not be delivered" in page
    assert "<strong>Private link</strong> · Ressourcerie du quai · holder@example.net" in page
    assert "ConnectionRefusedError" in page
    assert "The private link could not be e-mailed to this submitter" in page


def test_a_moderator_sends_a_failed_email_again(
    moderator_client, mailoutbox, django_capture_on_commit_callbacks
):
    email = queued(status=OutgoingEmailStatus.FAILED, attempts=9)
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post("/moderation/", {"send_again": str(email.pk)})

    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmailStatus.SENT, 1)
    assert [m.to for m in mailoutbox] == [["holder@example.net"]]
