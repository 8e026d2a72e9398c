"""What bench_load.py and bench_faults.py share: the served stack (the demo on a scratch
database, gunicorn with production settings and 2 workers, the task workers, a local SMTP
server) and a bounded open-loop load generator on 127.0.0.1.

The load is open-loop: requests are sent on a fixed schedule whatever the answers, and a
latency counts from the scheduled moment, so a stalled server shows as latency, not as a
lower rate. Everything is bounded: a fixed number of requests over a fixed time, each with a
timeout, loopback only."""

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from _common import (
    PG_PORT,
    ROOT,
    free_port,
    manage,
    production_env,
    scratch_database,
    serve_gunicorn,
)

DATABASE = "radar_bench_load"
READS = [
    "/",
    "/api/v1/initiatives/?bbox=-0.70,44.78,-0.50,44.90",
    "/open-data/initiatives.geojson",
    "/radar/",
    "/api/v1/radar/gaps/?level=commune",
]
BORDEAUX = (-0.5792, 44.8378)
REQUEST_TIMEOUT = 30
SUBMISSION_PREFIX = "Banc d’essai"


# --- A tiny SMTP server ------------------------------------------------------------------


class SmtpServer:
    """Answers like a mail server ("accept"), accepts connections and never answers ("hang"),
    or is not there ("refuse": the port is closed). Counts the messages it received, by
    recipient. Runs its asyncio loop in a thread of the benchmark."""

    def __init__(self):
        self.port = free_port()
        self.mode = "accept"
        self.received: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._server = None
        self._hung: list[asyncio.StreamWriter] = []
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        self.set_mode("accept")

    def set_mode(self, mode: str) -> None:
        asyncio.run_coroutine_threadsafe(self._set_mode(mode), self._loop).result(10)

    async def _set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "refuse":
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()
                self._server = None
        elif self._server is None:
            self._server = await asyncio.start_server(self._session, "127.0.0.1", self.port)
        if mode == "accept":  # the hung sessions end as a real server's would, by a close
            for writer in self._hung:
                writer.close()
            self._hung.clear()

    async def _session(self, reader, writer) -> None:
        if self.mode == "hang":
            self._hung.append(writer)
            return
        try:
            await self._converse(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _converse(self, reader, writer) -> None:
        def say(line: str):
            writer.write(line.encode() + b"\r\n")

        say("220 bench.localhost ESMTP")
        recipients: list[str] = []
        while line := await reader.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                say("250 bench.localhost")
            elif verb == "MAIL":
                recipients = []
                say("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip(" <>"))
                say("250 OK")
            elif verb == "DATA":
                say("354 End data with <CR><LF>.<CR><LF>")
                await writer.drain()
                while (await reader.readline()) not in (b".\r\n", b""):
                    pass
                self.received.update(recipients)
                say("250 OK: queued")
            elif verb == "QUIT":
                say("221 Bye")
                await writer.drain()
                return
            else:
                say("250 OK")
            await writer.drain()


# --- The served stack --------------------------------------------------------------------


@dataclass
class Stack:
    database: str
    url: str
    smtp: SmtpServer
    processes: list = field(default_factory=list)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def stack_env(database: str, smtp: SmtpServer, **extra: str) -> dict:
    return production_env(database) | {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "5",
        # Raised for the run: 2 submissions a second from one address.
        "SUBMISSION_RATE_LIMIT": "100000/hour",
        **extra,
    }


LOG = Path(tempfile.gettempdir()) / "radar-bench-load.log"


def start_worker(queue: str, env: dict) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "run_worker", "--no-reload", "--queue-name", queue]
    with LOG.open("a") as log:  # the worker's warnings (failed e-mails…) go to the log
        return subprocess.Popen(
            [*command, "--interval", "0.2", "-v0"], cwd=ROOT, env=env, stdout=log, stderr=log
        )


def start_stack(**extra_env: str) -> Stack:
    """The demo on a fresh scratch database, warmed; gunicorn (2 workers, production
    settings); one task worker for the e-mails and one for the radar; the SMTP server."""
    LOG.write_text("")
    print(f"(server and worker messages: {LOG})")
    database = scratch_database(DATABASE)
    for command in (["createcachetable"], ["load_demo", "-v0"], ["warm_radar"]):
        manage(database, *command)
    smtp = SmtpServer()
    env = stack_env(database, smtp, **extra_env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    workers = [start_worker(queue, env) for queue in ("email", "radar")]
    with LOG.open("a") as log:
        server, url = serve_gunicorn(
            database, workers=2, ready_path="/api/v1/territories/?level=epci", env=env, log=log
        )
    for path in READS * 4:  # each gunicorn worker loads its libraries before the timing
        _request(url + path)
    return Stack(database=database, url=url, smtp=smtp, processes=[*workers, server])


# --- Database checks ---------------------------------------------------------------------


def query(sql: str, *params) -> list[tuple]:
    name = DATABASE
    with psycopg.connect(host="127.0.0.1", port=PG_PORT, user="radar", dbname=name) as db:
        return db.execute(sql, params).fetchall()


def stored_submission_ids() -> set[int]:
    rows = query(
        "SELECT id FROM initiatives_initiative WHERE name LIKE %s", SUBMISSION_PREFIX + "%"
    )
    return {pk for (pk,) in rows}


def emails_waiting() -> dict[str, int]:
    return dict(query("SELECT status, count(*) FROM initiatives_outgoingemail GROUP BY status"))


# --- The load ----------------------------------------------------------------------------


@dataclass
class Answer:
    kind: str  # "read" or "submit"
    path: str
    due: float  # scheduled moment (monotonic)
    done: float
    status: int  # HTTP status, or 0 for no answer (refused, reset, timeout)
    error: str = ""
    submission_id: int | None = None
    email: str = ""

    @property
    def latency_ms(self) -> float:
        return (self.done - self.due) * 1000

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.status != 202


def _request(url: str, data: bytes | None = None) -> tuple[int, bytes, str]:
    headers = {"Accept-Encoding": "identity"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return response.status, response.read(), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(), ""
    except (OSError, urllib.error.URLError) as error:
        return 0, b"", type(error).__name__


def submission_body(number: int, run: str) -> dict:
    return {
        "name": f"{SUBMISSION_PREFIX} {run} n° {number}",
        "short_description": "Une initiative déposée par le banc d’essai de charge.",
        "themes": ["repair_reuse"],
        "location": {"type": "Point", "coordinates": list(BORDEAUX)},
        "contact_email": f"bench-{run}-{number}@example.net",
    }


def run_open_loop(
    url: str, *, seconds: float, reads_per_s: float, submits_per_s: float, run: str, events=()
) -> list[Answer]:
    """Send the scheduled requests (at most seconds × rate of each kind); `events` are
    (second, callable) run on schedule in this thread (fault injection)."""
    schedule = [(i / reads_per_s, "read", i) for i in range(int(seconds * reads_per_s))]
    schedule += [(i / submits_per_s, "submit", i) for i in range(int(seconds * submits_per_s))]
    schedule.sort()
    answers: list[Answer] = []
    lock = threading.Lock()
    start = time.monotonic()

    def send(offset: float, kind: str, number: int) -> None:
        due = start + offset
        if kind == "read":
            path = READS[number % len(READS)]
            status, _body, error = _request(url + path)
            answer = Answer(kind, path, due, time.monotonic(), status, error)
        else:
            body = submission_body(number, run)
            status, payload, error = _request(
                url + "/api/v1/submissions/", json.dumps(body).encode()
            )
            answer = Answer("submit", "/api/v1/submissions/", due, time.monotonic(), status, error)
            answer.email = body["contact_email"]
            if status == 201:
                answer.submission_id = json.loads(payload)["id"]
        with lock:
            answers.append(answer)

    pending_events = sorted(events, key=lambda e: e[0])
    # Enough threads that a slow answer never delays the next scheduled request.
    with ThreadPoolExecutor(max_workers=256) as pool:
        for offset, kind, number in schedule:
            while pending_events and pending_events[0][0] <= offset:
                _at, action = pending_events.pop(0)
                action()
            delay = start + offset - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, offset, kind, number)
        for _at, action in pending_events:
            time.sleep(max(0.0, start + _at - time.monotonic()))
            action()
    return answers


def run_closed_loop(url: str, *, readers: int, seconds: float) -> tuple[float, list[float], int]:
    """`readers` clients each reading one page after another; (req/s, latencies ms, errors)."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def reader(index: int) -> None:
        nonlocal errors
        number = index
        while time.monotonic() < deadline:
            began = time.monotonic()
            status, _body, _error = _request(url + READS[number % len(READS)])
            with lock:
                latencies.append((time.monotonic() - began) * 1000)
                errors += status != 200
            number += 1

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=readers) as pool:
        list(pool.map(reader, range(readers)))
    return len(latencies) / (time.monotonic() - began), latencies, errors


# --- Figures -----------------------------------------------------------------------------


def cpu_seconds(root_pids: list[int]) -> float:
    """CPU time (user + system) of these processes and their children, from /proc: a figure
    that does not depend on how busy the rest of the machine is."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    wanted, total = set(root_pids), 0
    for pid, (parent, _cpu) in stats.items():
        if parent in root_pids:
            wanted.add(pid)
    for pid in wanted:
        total += stats.get(pid, (0, 0))[1]
    return total / ticks


def wait_until_idle(pids: list[int], limit: float = 120) -> float:
    """The CPU time used so far, once the processes have stopped working (or after limit)."""
    began, used = time.monotonic(), cpu_seconds(pids)
    while time.monotonic() - began < limit:
        time.sleep(2)
        now = cpu_seconds(pids)
        if now - used < 0.2:
            return now
        used = now
    return used


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def describe(answers: list[Answer], kind: str) -> str:
    mine = [a for a in answers if a.kind == kind]
    ok = [a.latency_ms for a in mine if a.ok]
    return (
        f"{len(mine)} sent, {len(ok)} answered 2xx; p50 {percentile(ok, 50):.0f} ms, "
        f"p95 {percentile(ok, 95):.0f} ms"
    )


def statuses(answers: list[Answer]) -> dict[str, int]:
    counted = Counter(str(a.status) if a.status else f"no answer ({a.error})" for a in answers)
    return dict(sorted(counted.items()))


def wait_for_emails(smtp: SmtpServer, addresses: set[str], seconds: float) -> float:
    """Seconds until every address got its e-mail (or the limit); returns the wait."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if all(smtp.received[a] for a in addresses):
            break
        time.sleep(0.5)
    return time.monotonic() - began
