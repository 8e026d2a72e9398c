"""The worker keeps the radar fresh by itself: the results keyed by the day are computed just
after local midnight by a task that schedules the next day's, exactly one of which waits at a
time, whoever asks for it (the worker at start and every minute, `migrate`, the task itself).
No cron needed."""

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.tasks import default_task_backend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from radar import tasks
from radar.parameters import GAP_LEVELS
from radar.reports.cache import ResultPending
from radar.reports.emerging import EmergingParams, emerging_rows
from radar.reports.signals import territory_signals
from radar.reports.trends import TrendParams, hotspot_trends_rows
from territories.selectors import territory_by_code

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
QUEUES = ["default", "email", "radar", "imports"]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}
RECORDING_TASKS = {
    "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": QUEUES}
}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def recorded_tasks(settings):
    settings.TASKS = RECORDING_TASKS
    return default_task_backend.results


def _migrated() -> None:
    """What `migrate` sends at its end, for the radar."""
    config = apps.get_app_config("radar")
    post_migrate.send(
        sender=config,
        app_config=config,
        verbosity=0,
        interactive=False,
        using="default",
        apps=apps,
        plan=[],
    )


def _waiting():
    return DBTaskResult.objects.filter(task_path="radar.tasks.refresh_daily", status="READY")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 23:30 in Paris: the refresh runs a minute after the coming midnight.
        (datetime(2026, 12, 6, 22, 30, tzinfo=UTC), datetime(2026, 12, 7, 0, 1, tzinfo=PARIS)),
        # 00:30 in Paris (still the 6th in UTC): tomorrow's midnight, not the one just past.
        (datetime(2026, 12, 6, 23, 30, tzinfo=UTC), datetime(2026, 12, 8, 0, 1, tzinfo=PARIS)),
        # The night the clocks go forward: midnight is still at UTC+1.
        (datetime(2026, 3, 28, 12, 0, tzinfo=UTC), datetime(2026, 3, 29, 0, 1, tzinfo=PARIS)),
        # The day after, at summer time (UTC+2).
        (datetime(2026, 3, 29, 12, 0, tzinfo=UTC), datetime(2026, 3, 30, 0, 1, tzinfo=PARIS)),
    ],
)
def test_the_next_refresh_is_a_minute_after_the_next_local_midnight(now, expected):
    assert tasks.next_daily_refresh(now) == expected


def test_the_utc_instants_of_the_refresh_follow_daylight_saving_time():
    winter = tasks.next_daily_refresh(datetime(2026, 1, 10, 12, tzinfo=UTC))
    summer = tasks.next_daily_refresh(datetime(2026, 7, 10, 12, tzinfo=UTC))
    assert winter.astimezone(UTC) == datetime(2026, 1, 10, 23, 1, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 7, 10, 22, 1, tzinfo=UTC)


def test_scheduling_enqueues_one_refresh_on_the_radar_queue_after_midnight(database_tasks):
    now = timezone.now()

    assert tasks.schedule_daily_refresh(now=now) is True

    [waiting] = _waiting()
    assert waiting.queue_name == "radar"
    assert waiting.run_after == tasks.next_daily_refresh(now)
    local = waiting.run_after.astimezone(PARIS)
    assert (local.date(), local.hour, local.minute) == (
        timezone.localdate(now) + timedelta(days=1),
        0,
        1,
    )


def test_a_second_enqueue_from_a_worker_a_restart_or_migrate_adds_nothing(
    database_tasks, monkeypatch
):
    from initiatives.management.commands import run_worker

    assert tasks.schedule_daily_refresh() is True
    assert tasks.schedule_daily_refresh() is False
    # Two workers serving the radar's queue start (their housekeeping runs at start).
    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)
    for queues in ("radar", "*"):
        call_command(
            "run_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", queues,
            stdout=io.StringIO(),
        )  # fmt: skip
    # `migrate` ends with post_migrate.
    _migrated()

    assert _waiting().count() == 1


def test_a_worker_of_the_radar_queue_schedules_it_when_none_waits(database_tasks, monkeypatch):
    from initiatives.management.commands import run_worker

    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)
    call_command(
        "run_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "email",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert not _waiting().exists()  # an e-mail worker leaves the radar's queue alone

    call_command(
        "run_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "radar",
        stdout=io.StringIO(),
    )  # fmt: skip

    [waiting] = _waiting()
    assert waiting.run_after == tasks.next_daily_refresh(timezone.now())


def test_migrate_schedules_it(database_tasks):
    _migrated()

    assert _waiting().count() == 1


def test_a_backend_that_runs_tasks_at_once_schedules_nothing():
    """The tests' immediate backend would run it now, and it would schedule itself again."""
    assert tasks.schedule_daily_refresh() is False


def test_a_refresh_due_runs_in_the_worker_and_schedules_the_next_day(database_tasks, monkeypatch):
    from initiatives.management.commands import run_worker

    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)
    tasks.schedule_daily_refresh()
    due = _waiting().get()
    # The worker was stopped over midnight: the refresh is due when it starts again.
    DBTaskResult.objects.filter(pk=due.pk).update(run_after=timezone.now() - timedelta(hours=8))

    call_command(
        "run_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "radar",
        stdout=io.StringIO(),
    )  # fmt: skip

    due.refresh_from_db()
    assert due.status == "SUCCESSFUL"
    assert due.return_value == timezone.localdate().isoformat()
    [following] = _waiting()
    assert following.run_after == tasks.next_daily_refresh(timezone.now())
    assert following.run_after > timezone.now()


def _results_of_the_day() -> list:
    """The day-keyed results as a visitor would read them (ResultPending when missing)."""
    return [
        emerging_rows(EmergingParams()),
        *[hotspot_trends_rows(TrendParams(level=level)) for level in GAP_LEVELS],
        territory_signals(territory=territory_by_code(code="33039")),
        territory_signals(territory=territory_by_code(code="33")),
    ]


def test_after_the_refresh_runs_the_new_days_results_exist(recorded_tasks, monkeypatch):
    _results_of_the_day()  # today's are there (computed when the tests' database was set up)
    tomorrow = timezone.localdate() + timedelta(days=1)
    new_year = date(tomorrow.year + 1, 1, 1)
    for day in (tomorrow, new_year):  # a new day; a new year, which the trends depend on
        monkeypatch.setattr(timezone, "localdate", lambda *args, day=day, **kwargs: day)
        if day == tomorrow:  # the day before's results are served, marked stale, meanwhile
            assert emerging_rows(EmergingParams())[1] is True
            assert territory_signals(territory=territory_by_code(code="33039"))["stale"] is True
        else:  # nothing of the day before (31 December) to serve
            with pytest.raises(ResultPending):
                emerging_rows(EmergingParams())
            with pytest.raises(ResultPending):
                territory_signals(territory=territory_by_code(code="33039"))

        assert tasks.refresh_daily.call() == day.isoformat()  # what the worker runs

        rows, stale = emerging_rows(EmergingParams())
        assert stale is False and rows and all("summary" in row for row in rows)
        results = _results_of_the_day()
        assert all(result[1] is False for result in results[: 1 + len(GAP_LEVELS)])
        assert results[-1]["n_initiatives"] > 0 and results[-1]["stale"] is False
    # Each run scheduled the following one (here in the recording backend).
    scheduled = [r for r in recorded_tasks if r.task.name == "refresh_daily"]
    assert len(scheduled) == 2 and all(r.task.run_after for r in scheduled)


def test_with_another_deferring_backend_one_refresh_is_scheduled_per_day(recorded_tasks):
    cache.delete_many([f"radar:daily-refresh:{timezone.localdate() + timedelta(days=1)}"])

    assert tasks.schedule_daily_refresh() is True
    assert tasks.schedule_daily_refresh() is False

    [scheduled] = [r for r in recorded_tasks if r.task.name == "refresh_daily"]
    assert scheduled.task.run_after == tasks.next_daily_refresh(timezone.now())
