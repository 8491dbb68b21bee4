#!/usr/bin/env bash
# Installs what is missing (scripts/setup-app.sh), then launches Branch Desk.
#   scripts/run-app.sh          dev mode: Vite dev server with hot reload + debug app (tauri dev)
#   scripts/run-app.sh --debug  debug build with the UI embedded (no dev server), then run it
# Needs a graphical session (DISPLAY or WAYLAND_DISPLAY); on a headless machine wrap it:
#   xvfb-run -a scripts/run-app.sh --debug
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

"$ROOT/scripts/setup-app.sh"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "[run-app] ERROR: no display. Run it in a desktop session, or headless: xvfb-run -a $0 $*" >&2
  exit 1
fi

cd "$ROOT"
case "${1:-}" in
  --debug)
    CARGO_TARGET_DIR="$TARGET_DIR" ui/node_modules/.bin/tauri build --debug --no-bundle --ci
    exec "$TARGET_DIR/debug/branch-desk"
    ;;
  "" | --dev)
    CARGO_TARGET_DIR="$TARGET_DIR" exec ui/node_modules/.bin/tauri dev
    ;;
  *)
    echo "usage: $0 [--dev | --debug]" >&2
    exit 2
    ;;
esac
