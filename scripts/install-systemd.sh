#!/usr/bin/env bash
# Install 医保通 as systemd services (run as root, after `make setup` in the project directory):
#   sudo bash scripts/install-systemd.sh            # then edit /etc/yibao/yibao.env and start:
#   sudo systemctl restart yibao.target && journalctl -fu yibao-api
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
id yibao >/dev/null 2>&1 || useradd --system --home-dir /var/lib/yibao --shell /usr/sbin/nologin yibao
install -d -m 0700 -o yibao -g yibao /var/lib/yibao
install -d -m 0750 -o root -g yibao /etc/yibao
[ -f /etc/yibao/yibao.env ] || install -m 0640 -o root -g yibao deploy/yibao.env.example /etc/yibao/yibao.env
for unit in deploy/systemd/*; do
  sed "s#@ROOT@#$ROOT#g" "$unit" > "/etc/systemd/system/$(basename "$unit")"
done
install -m 0644 deploy/logrotate/yibao /etc/logrotate.d/yibao
# The knowledge-base index lives in the data directory: build it there, as the service user.
runuser -u yibao -- env YIBAO_DATA_DIR=/var/lib/yibao PYTHONPATH="$ROOT" "$ROOT/.venv/bin/yibao" kb build
systemctl daemon-reload
# The action server of earlier versions is part of the kiosk API now.
if [ -f /etc/systemd/system/yibao-actions.service ]; then
  systemctl disable --now yibao-actions.service || true
  rm -f /etc/systemd/system/yibao-actions.service
fi
systemctl enable yibao.target yibao-rasa.service yibao-api.service
echo "installed; edit /etc/yibao/yibao.env, then: systemctl start yibao.target"
