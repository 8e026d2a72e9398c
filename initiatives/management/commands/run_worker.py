"""The task worker: django-tasks-db's `db_worker`, made to outlive the database.

`db_worker` stops at the first database error, and a task it was running when the database
went away stays "running" for ever. This one waits for the database to come back and carries
on, and every minute (and at start) enqueues again the e-mails whose task was lost
(initiatives.tasks.resume_stalled_emails) and sends `worker_housekeeping`, through which the
apps above keep their periodic work scheduled (radar's daily refresh). Same options as
`db_worker`."""

import logging
import os
import time

from django.db import DatabaseError, close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from initiatives.signals import worker_housekeeping
from initiatives.tasks import resume_stalled_emails

logger = logging.getLogger("django_tasks_db")
HOUSEKEEPING_EVERY = 60.0
MAX_PAUSE = 5.0


class Worker(db_worker.Worker):
    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        pause, next_housekeeping = 0.5, 0.0
        while self.running:
            try:
                if time.monotonic() >= next_housekeeping:
                    self._housekeeping()
                    next_housekeeping = time.monotonic() + HOUSEKEEPING_EVERY
                ran = self._run_next()
                pause = 0.5
            except DatabaseError as error:
                logger.warning("Database unavailable (%s); retrying in %.1f s", error, pause)
                self._forget_connections()
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
                continue
            if self.batch and not ran:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and not ran:
                time.sleep(self.interval)

    def _run_next(self) -> bool:
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is None:
            return False
        self.run_task(task_result)
        return True

    def _housekeeping(self) -> None:
        if self.serves("email"):
            resumed = resume_stalled_emails()
            if resumed:
                logger.warning("Re-enqueued %d e-mail(s) whose task was lost", resumed)
        for receiver, outcome in worker_housekeeping.send_robust(
            sender=self.__class__, serves=self.serves
        ):
            if isinstance(outcome, DatabaseError):
                raise outcome  # the loop waits for the database and tries again
            if isinstance(outcome, Exception):
                logger.error("Housekeeping by %s failed: %r", receiver, outcome)

    def serves(self, queue_name: str) -> bool:
        """Whether this worker runs the tasks of the queue."""
        if queue_name in self.excluded_queue_names:
            return False
        return self.process_all_queues or queue_name in self.queue_names

    @staticmethod
    def _forget_connections() -> None:
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except DatabaseError:
                connection.connection = None


class Command(db_worker.Command):
    help = "Run the task worker (e-mails, radar recomputation); it survives database restarts."

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, **options) -> None:
        self.configure_logging(verbosity)
        worker = Worker(
            queue_names=queue_name.split(","),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if reload and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
