#!/usr/bin/env bash
# Regenerates the app icons in icons/ from icons/source.svg with the Tauri CLI. Desktop only:
# the Android and iOS sets it also writes are removed. Run after changing the source image.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup-app.sh" --ui
cd "$ROOT"
ui/node_modules/.bin/tauri icon icons/source.svg -o icons
rm -rf icons/android icons/ios
