#!/usr/bin/env bash
# The whole test suite (what `make test` and CI run): lint, Rasa data validation, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$PWD"

# System packages the tests use (Debian): chromium for the browser tests (never a downloaded browser),
# a CJK font so screenshots are readable, PostgreSQL and Redis for the scale-out tests.
APT_PACKAGES=(chromium fonts-noto-cjk fonts-noto-color-emoji postgresql redis-server)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  sudo_=(); [ "$(id -u)" = 0 ] || sudo_=(sudo)
  "${sudo_[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "==> ruff"
.venv/bin/ruff check .
echo "==> rasa data validate"
.venv-rasa/bin/rasa data validate --config config.yml --domain domain.yml --data bot/data --fail-on-warnings
echo "==> pytest"
.venv/bin/pytest "$@"
