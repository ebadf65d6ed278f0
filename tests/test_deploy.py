"""The systemd units and log rotation shipped in deploy/: one unit per service the stack runs, each restarted on
failure, private files, the production checks on the way in (`yibao service`)."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

import pytest

from yibao.settings import PROJECT_ROOT
from yibao.stack import Ports, Stack

DEPLOY = PROJECT_ROOT / "deploy"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


@pytest.mark.parametrize("service", sorted(Stack(ports=Ports()).commands()))
def test_every_service_has_a_supervised_unit(service: str) -> None:
    parsed = unit(DEPLOY / "systemd" / f"yibao-{service}.service")["Service"]
    assert parsed["ExecStart"].endswith(f"-m yibao.cli service {service}")
    assert parsed["Restart"] == "on-failure" and int(parsed["RestartSec"]) > 0
    assert parsed["UMask"] == "0077" and parsed["User"] == "yibao"
    assert parsed["EnvironmentFile"] == "/etc/yibao/yibao.env"
    assert service in unit(DEPLOY / "systemd" / "yibao.target")["Unit"]["Wants"]


def test_install_script_and_log_rotation() -> None:
    script = PROJECT_ROOT / "scripts" / "install-systemd.sh"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    assert "systemctl enable yibao.target" in script.read_text()
    rotation = (DEPLOY / "logrotate" / "yibao").read_text()
    assert "copytruncate" in rotation and "rotate 14" in rotation
