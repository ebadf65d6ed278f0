#!/usr/bin/env bash
# The whole test suite (what `make test` and CI run): lint, Rasa data validation, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$PWD"

# Browser tests drive Debian's chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi

echo "==> ruff"
.venv/bin/ruff check .
echo "==> rasa data validate"
.venv-rasa/bin/rasa data validate --config config.yml --domain domain.yml --data bot/data --fail-on-warnings
echo "==> pytest"
.venv/bin/pytest "$@"
