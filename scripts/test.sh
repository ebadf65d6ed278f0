#!/usr/bin/env bash
# The whole test suite (what `make test` and CI run): lint, Rasa data validation, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$PWD"

# System packages the tests use (Debian): chromium for the browser tests (never a downloaded browser),
# a CJK font so screenshots are readable, PostgreSQL and Redis for the scale-out tests.
APT_PACKAGES=(chromium fonts-noto-cjk fonts-noto-color-emoji postgresql redis-server)
bash scripts/apt_install.sh "${APT_PACKAGES[@]}"

echo "==> ruff"
.venv/bin/ruff check .
echo "==> rasa data validate"
.venv-rasa/bin/rasa data validate --config config.yml --domain domain.yml --data bot/data --fail-on-warnings
echo "==> pytest"
.venv/bin/pytest "$@"
