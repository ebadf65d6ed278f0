#!/usr/bin/env bash
# Install the Debian packages named as arguments that are not installed yet (as root, or through sudo).
set -euo pipefail
missing=()
for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "==> installing ${missing[*]}"
sudo_=(); [ "$(id -u)" = 0 ] || sudo_=(sudo)
"${sudo_[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
