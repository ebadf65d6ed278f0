"""Start, watch and stop the two processes of the assistant.

    kiosk API (.venv, FastAPI)             ->  Rasa server (REST channel); knowledge base (staff search)
    Rasa server (.venv-rasa, Python 3.10)  ->  kiosk API's action webhook (rasa-sdk, bot/actions, with the
                                               shared action token)  ->  knowledge base + accounts

Used by ``yibao serve`` (what ``make start`` runs), by ``yibao ask`` (starts the stack for the call if it
is not already up) and by the integration tests (a private stack on free ports).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from accounts.crypto import key_text
from yibao.settings import PRIVATE_UMASK, PROJECT_ROOT, get_settings, make_data_dir_private, settings_for

# Where kiosk_api serves Rasa's custom-action calls (kiosk_api/routes/actions.py).
ACTION_WEBHOOK_PATH = "/internal/actions/webhook"

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = RASA_BIN.parent / "python"
# Longest request header the kiosk API reads (uvicorn's h11 parser; Rasa's Sanic refuses above 8 KiB itself).
MAX_HEADER_BYTES = 16384


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_up(url: str, timeout: float = 1.0) -> bool:
    try:
        return httpx.get(url, timeout=timeout).status_code < 500
    except httpx.HTTPError:
        return False


@dataclass
class Ports:
    rasa: int = 5005
    api: int = 8000

    @classmethod
    def from_settings(cls) -> Ports:
        s = get_settings()
        return cls(rasa=int(s.rasa_url.rsplit(":", 1)[1].split("/")[0]), api=s.api_port)

    @classmethod
    def free(cls) -> Ports:
        return cls(rasa=free_port(), api=free_port())


@dataclass
class Stack:
    ports: Ports = field(default_factory=Ports.from_settings)
    log_dir: Path = field(default_factory=lambda: get_settings().data_dir / "logs")
    env_overrides: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def rasa_token(self) -> str:
        return settings_for(self.env_overrides).rasa_token_override or get_settings().rasa_token

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"

    @property
    def action_url(self) -> str:
        """Rasa's action endpoint: the custom actions run inside kiosk_api."""
        return f"{self.api_url}{ACTION_WEBHOOK_PATH}"

    @property
    def action_token(self) -> str:
        return settings_for(self.env_overrides).action_token_override or get_settings().action_token

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            YIBAO_RASA_URL=self.rasa_url,
            YIBAO_ACTION_URL=self.action_url,
            YIBAO_ACTION_TOKEN=self.action_token,  # endpoints.yml sends it with every action call
            YIBAO_API_PORT=str(self.ports.api),
            YIBAO_TRACKER_DB=str(get_settings().data_dir / "rasa_tracker.db"),
            YIBAO_RASA_TOKEN=self.rasa_token,
            # One data key for all the services (and for tools such as `yibao accounts` run against them).
            YIBAO_TRACKER_KEY=key_text(),
            PYTHONPATH=str(PROJECT_ROOT),
            # Rasa/TensorFlow chatter and telemetry off: a kiosk has no internet anyway.
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            # Sanic's own limit on a request body to Rasa (default 100 MB).
            SANIC_REQUEST_MAX_SIZE="1048576",
        )
        # One TensorFlow thread per Rasa process: its models are small, and on 2 cores a second thread per
        # operation only competes with the concurrent turns (measured: about 15 % less CPU per turn under load).
        env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
        env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
        env.update(self.env_overrides)
        return env

    def commands(self) -> dict[str, list[str]]:
        py = sys.executable
        settings, children = get_settings(), settings_for(self.env())
        # bot.rasa_server adds the token from the environment: never on a command line, which `ps` shows.
        # CORS only for the widget origins configured (none by default), never "*".
        origins = children.widget_origins
        cors = ["--cors", *origins] if origins else []
        trusted_proxies = children.trusted_proxies
        # h11 (not httptools) so request headers are limited; X-Forwarded-For only from configured proxies.
        proxies = (["--proxy-headers", "--forwarded-allow-ips", trusted_proxies]
                   if trusted_proxies else ["--no-proxy-headers"])
        return {
            "rasa": [
                str(RASA_PYTHON), "-m", "bot.rasa_server", "run", "--enable-api", *cors,
                "--interface", settings.rasa_interface,
                "--model", str(settings.models_dir), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                "--port", str(self.ports.rasa),
            ],
            # Also serves Rasa's custom-action calls (kiosk_api/routes/actions.py).
            "api": [
                py, "-m", "uvicorn", "kiosk_api.app:app", "--host", "0.0.0.0", "--port", str(self.ports.api),
                "--http", "h11", "--h11-max-incomplete-event-size", str(MAX_HEADER_BYTES), *proxies,
            ],
        }

    def health_urls(self) -> dict[str, str]:
        return {"rasa": f"{self.rasa_url}/status?token={self.rasa_token}", "api": f"{self.api_url}/api/health"}

    def prepare(self) -> None:
        """Before any service starts: production refuses demo parts; the data directory is made private."""
        from yibao.production import enforce_production

        enforce_production("yibao")
        make_data_dir_private(settings_for(self.env()).data_dir)

    def start(self, timeout: float = 600.0) -> None:  # Rasa can take minutes to load on a busy machine
        if not RASA_BIN.exists() or not shutil.which(sys.executable):
            raise RuntimeError("Rasa venv missing: run `make setup` first")
        self.prepare()
        self.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name, cmd in self.commands().items():
            self.processes[name] = self.spawn(name, cmd)
        self.wait_ready(timeout)

    def spawn(self, name: str, cmd: list[str]) -> subprocess.Popen[bytes]:
        """Start one service, its output appended to a private log file; what it creates is private too."""
        fd = os.open(self.log_dir / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as log:
            return subprocess.Popen(
                cmd, cwd=PROJECT_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                umask=PRIVATE_UMASK,
            )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = dict(self.health_urls())
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                proc = self.processes.get(name)
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.log_dir / (name + '.log')}")
                if is_up(url):
                    pending.pop(name)
            time.sleep(0.5)
        if pending:
            self.stop()
            raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(pending)}; logs in {self.log_dir}")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.processes.pop(name, None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=30)

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)


@contextmanager
def running_stack(ports: Ports | None = None, **env: str) -> Iterator[Stack]:
    """A stack for the duration of a ``with`` block; reuses one already listening on the same ports."""
    stack = Stack(ports=ports or Ports.from_settings(), env_overrides=env)
    if all(is_up(u) for u in stack.health_urls().values()):
        yield stack
        return
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
