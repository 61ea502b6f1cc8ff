#!/usr/bin/env bash
# What the real-VS-Code tests need, installed if missing (idempotent, quick when all is there):
#  - Debian packages: chromium (hosts the workbench), fonts; libkrb5-dev, pkg-config and build tools
#    for code-server's native modules; ripgrep replaces the binary code-server would download
#  - systemd: systemd-analyze verifies the generated scheduler units (test/unit/setup-*.test.ts)
#  - code-server (VS Code 1.100 server + workbench from npm) in ${DREAM_CACHE:-~/.cache/dream-ci}
#  - the real codex and claude CLIs (pinned) in ${DREAM_CACHE}/runners, for the council argument tests
# Used by .ci/run and by `npm test` when something is missing. apt needs root (or sudo -n).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export DREAM_CACHE="${DREAM_CACHE:-$HOME/.cache/dream-ci}"
export npm_config_unsafe_perm=true npm_config_yes=true
PKGS=(chromium fonts-liberation libkrb5-dev pkg-config ripgrep systemd)
command -v make >/dev/null && command -v g++ >/dev/null || PKGS+=(build-essential)
command -v python3 >/dev/null || PKGS+=(python3)
MISSING=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || MISSING+=("$p")
done
if [ "${#MISSING[@]}" -eq 0 ]; then
  echo "install-test-deps: Debian packages present: ${PKGS[*]}"
else
  echo "install-test-deps: installing ${MISSING[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  $SUDO apt-get update
  $SUDO apt-get install -y "${MISSING[@]}"
fi
CS_PREFIX="$DREAM_CACHE/code-server"
bash scripts/install-code-server.sh "$CS_PREFIX"   # idempotent: ~0.1 s when the install is complete
bash scripts/install-runners.sh "$DREAM_CACHE/runners"   # the real codex/claude CLIs (council argument tests), pinned
