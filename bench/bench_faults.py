"""Faults under load: the load of bench_load.py (20 reads/s + 2 submissions/s, open loop)
while (a) PostgreSQL is stopped (fast) and restarted, (b) stopped with `-m immediate` (a
crash) and restarted, (c) the mail server refuses connections, (d) the mail server accepts
connections and never answers. The fault starts at FAULT_AT s and lasts FAULT_FOR s.

For each: the answers by status code, the seconds to recover, acknowledged vs stored
submissions (must be equal), and the private links finally e-mailed (must be all).

    .venv/bin/python bench/bench_faults.py [SECONDS] [SCENARIO ...]   (scenarios: a b c d)
"""

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PG_PORT, ROOT
from _load import (
    Answer,
    describe,
    run_open_loop,
    start_stack,
    statuses,
    stored_submission_ids,
    wait_for_emails,
    wait_until_idle,
)

FAULT_AT, FAULT_FOR = 15.0, 15.0
DATA = ROOT / ".pgdata" / "data"
# Short retries for the run, so that "finally sent" comes within minutes.
BENCH_ENV = {"EMAIL_RETRY_BASE_SECONDS": "2", "EMAIL_STALLED_AFTER_SECONDS": "15"}


def pg_ctl(*args: str) -> None:
    binary = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))[-1]
    command = [str(binary / "bin" / "pg_ctl"), "-D", str(DATA), *args]
    if os.geteuid() == 0:  # the cluster belongs to the postgres user (scripts/localpg.sh)
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True)


def database_stop(mode: str):
    def stop():
        pg_ctl("-m", mode, "-w", "stop")

    return stop


def database_start() -> None:
    env = {**os.environ, "RADAR_PG_PORT": str(PG_PORT)}
    subprocess.run([str(ROOT / "scripts/localpg.sh"), "start"], env=env, check=True)


class Clock:
    """When the fault was cleared (monotonic)."""

    cleared = 0.0

    @classmethod
    def mark(cls, action):
        def run():
            action()
            cls.cleared = time.monotonic()

        return run


def scenarios(stack) -> dict:
    smtp = stack.smtp
    return {
        "a": ("PostgreSQL stopped (fast), restarted", database_stop("fast"), database_start),
        "b": ("PostgreSQL crash (-m immediate), restarted", database_stop("immediate"),
              database_start),
        "c": ("mail server refuses connections", lambda: smtp.set_mode("refuse"),
              lambda: smtp.set_mode("accept")),
        "d": ("mail server accepts, then hangs", lambda: smtp.set_mode("hang"),
              lambda: smtp.set_mode("accept")),
    }  # fmt: skip


def recovery(answers: list[Answer]) -> str:
    """Seconds from the end of the fault to the last failed answer (0: none after)."""
    failed = [a for a in answers if not a.ok]
    if not failed:
        return "no failed answer"
    last = max(a.due for a in failed)
    after = max(0.0, last - Clock.cleared)
    return f"{len(failed)} failed answers; the last one was due {after:.1f} s after the fault ended"


def run_scenario(stack, key: str, title: str, start, end, seconds: float) -> None:
    # The previous scenario's backlog (requests the server still works through) must not
    # count against this one.
    wait_until_idle([process.pid for process in stack.processes], limit=300)
    print(f"({key}) {title}: fault from {FAULT_AT:.0f} s to {FAULT_AT + FAULT_FOR:.0f} s "
          f"of {seconds:.0f} s of load")  # fmt: skip
    answers = run_open_loop(
        stack.url,
        seconds=seconds,
        reads_per_s=20,
        submits_per_s=2,
        run=f"{key}{int(time.time())}",
        events=[(FAULT_AT, start), (FAULT_AT + FAULT_FOR, Clock.mark(end))],
    )
    print(f"  answers by status: {statuses(answers)}")
    print(f"  recovery: {recovery(answers)}")
    print(f"  reads:       {describe(answers, 'read')}")
    print(f"  submissions: {describe(answers, 'submit')}")
    acknowledged = {a.submission_id for a in answers if a.submission_id}
    stored = stored_submission_ids()
    lost = acknowledged - stored
    print(f"  submissions acknowledged {len(acknowledged)}, of which stored "
          f"{len(acknowledged & stored)} (lost: {len(lost)})")  # fmt: skip
    addresses = {a.email for a in answers if a.submission_id}
    waited = wait_for_emails(stack.smtp, addresses, 240)
    sent = sum(1 for a in addresses if stack.smtp.received[a])
    print(f"  private links e-mailed {sent} of {len(addresses)} "
          f"({waited:.0f} s after the load ended)")  # fmt: skip


def main(seconds: float = 60, *keys: str) -> None:
    stack = start_stack(**BENCH_ENV)
    try:
        for key, (title, start, end) in scenarios(stack).items():
            if not keys or key in keys:
                run_scenario(stack, key, title, start, end, seconds)
    finally:
        # The stack first: its workers outlive a database outage, and orphans would take the
        # next run's e-mail tasks with this run's (closed) mail server.
        stack.stop()
        database_start()  # whatever happened, leave the cluster running


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60, *sys.argv[2:])
