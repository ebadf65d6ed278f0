"""`yibao serve` (what `make start` runs) takes its services down with it, even when signalled twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from yibao.settings import PROJECT_ROOT, get_settings
from yibao.stack import Ports, is_up

pytestmark = pytest.mark.stack


def test_serve_stops_every_service_on_repeated_sigterm(tmp_path: Path) -> None:
    shutil.copytree(get_settings().index_dir, tmp_path / "index")
    ports = Ports.free()
    env = {
        **os.environ, "YIBAO_DATA_DIR": str(tmp_path), "YIBAO_RASA_URL": f"http://127.0.0.1:{ports.rasa}",
        "YIBAO_API_PORT": str(ports.api), "PYTHONPATH": str(PROJECT_ROOT),
    }
    serve = subprocess.Popen([sys.executable, "-m", "yibao.cli", "serve"], cwd=PROJECT_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    health = f"http://127.0.0.1:{ports.api}/api/health"
    try:
        deadline = time.monotonic() + 240
        while not is_up(health) and time.monotonic() < deadline and serve.poll() is None:
            time.sleep(1)
        assert is_up(health), "the stack did not come up"
        serve.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        serve.send_signal(signal.SIGTERM)  # e.g. `timeout` and the shell both passing a stop on
        serve.wait(timeout=120)
    finally:
        if serve.poll() is None:
            serve.kill()
    urls = [health, f"http://127.0.0.1:{ports.rasa}/"]
    assert not any(is_up(u) for u in urls), "a service outlived `yibao serve`"
