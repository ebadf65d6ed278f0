#!/usr/bin/env bash
# Idempotent setup for a fresh machine: two venvs, pinned dependencies, the knowledge base,
# the trained Rasa model and the demo accounts. Re-running only redoes what changed.
#   .venv       Python 3.11: knowledge base, kiosk API with the custom actions (rasa-sdk), `yibao` CLI, tests
#   .venv-rasa  Python 3.10: Rasa Open Source 3.6.21 (does not support 3.11)
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # $1 = version, e.g. 3.10
  local v=$1 c
  for c in "${PYENV_ROOT:-/root/.pyenv}"/versions/"$v".*/bin/python "$(command -v "python$v" || true)"; do
    [ -x "$c" ] && { echo "$c"; return; }
  done
  echo "Python $v not found (install it with pyenv or apt)" >&2; exit 1
}

# Install a requirements file into a venv only when the file changed since the last install.
sync_venv() {  # $1 = venv dir, $2 = python, $3.. = requirements files
  local venv=$1 py=$2; shift 2
  local stamp="$venv/.requirements.sha256" want
  want=$(cat "$@" | sha256sum | cut -d' ' -f1)
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> installing $* into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check --upgrade pip==24.3.1
    for req in "$@"; do
      # *.nodeps.txt: packages whose declared dependencies must not be pulled in (see the file).
      case "$req" in *.nodeps.txt) nodeps=--no-deps ;; *) nodeps= ;; esac
      "$venv/bin/pip" install -q --disable-pip-version-check $nodeps -r "$req"
    done
    echo "$want" > "$stamp"
  fi
}

# System packages the assistant itself uses (Debian): espeak-ng reads answers aloud at the kiosk
# (its Mandarin voice; kiosk browsers on Linux have no speech voices of their own).
APT_PACKAGES=(espeak-ng)
bash scripts/apt_install.sh "${APT_PACKAGES[@]}"

sync_venv .venv-rasa "$(find_python 3.10)" requirements/rasa.txt
# torch first and alone: `torch==2.13.0` is the CPU build on this machine; anything else pulls CUDA.
sync_venv .venv "$(find_python 3.11)" requirements/torch.txt requirements/app.txt requirements/embedding-model.nodeps.txt
.venv/bin/pip install -q --disable-pip-version-check --no-deps -e .

export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$PWD"
echo "==> knowledge base"
.venv/bin/yibao kb build
echo "==> accounts database"
.venv/bin/yibao accounts migrate
echo "==> Rasa model"
# `rasa train` fingerprints config, domain and data and skips what did not change.
.venv-rasa/bin/rasa train --config config.yml --domain domain.yml --data bot/data --out var/models --fixed-model-name yibao --quiet
echo "==> setup done"
