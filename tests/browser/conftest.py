"""Browser tests: a real server process on its own database (the demo loaded), driven by
Debian's Chromium through Playwright, as a person would. axe-core checks accessibility."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(os.environ.get("AXE_JS", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
ARTIFACTS = ROOT / "test-artifacts"
MAIL_FOLDER = ROOT / "test-artifacts" / "mail"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in this thread; the ORM is not used here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_connection(database: dict) -> psycopg.Connection:
    return psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@dataclass
class Site:
    url: str
    env: dict
    mail: Path | None = None  # the folder where the server writes its e-mails

    def mails_to(self, address: str) -> list[str]:
        """The e-mails sent to `address`, oldest first, as their decoded text."""
        import email
        from email import policy

        found = []
        for path in sorted((self.mail or Path()).glob("*.log"), key=lambda p: p.stat().st_mtime):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if not raw.strip():
                    continue
                message = email.message_from_bytes(raw, policy=policy.default)
                if address in (message["To"] or ""):
                    found.append(message["Subject"] + "\n" + message.get_body().get_content())
        return found

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{server.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer within 60 s")


@pytest.fixture(scope="session")
def site():
    database = settings.DATABASES["default"]
    name = f"radar_browser_{os.getpid()}"
    with _admin_connection(database) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    host = f"{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}"
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": f"postgis://{credentials}@{host}/{name}",
        "DEBUG": "true",
        "PORT": str(port),
        "SUBMISSION_RATE_LIMIT": "1000/hour",
        "LINK_RECOVERY_RATE_LIMIT": "1000/hour",
        "EMAIL_FILE_PATH": str(MAIL_FOLDER / name),
    }
    site = Site(url=f"http://127.0.0.1:{port}", env=env, mail=MAIL_FOLDER / name)
    # Requests never compute the radar (the task worker does): its results are warmed here.
    for command in (["migrate", "-v0"], ["createcachetable"], ["load_demo", "-v0"], ["warm_radar"]):
        site.manage(*command)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # The task worker beside it, as in production: e-mails, and the radar results a filter asks for.
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--queue-name", "*", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(site.url + "/", server)
        yield site
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=20)
        with _admin_connection(database) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def axe():
    """Run axe-core in the page; returns the serious and critical violations."""

    def run(page):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern (a
        # <script> tag would be refused, as it should).
        page.evaluate(AXE.read_text())
        result = page.evaluate("async () => await axe.run(document)")
        return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]

    return run


@pytest.fixture
def screenshot():
    def take(page, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take
