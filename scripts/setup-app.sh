#!/usr/bin/env bash
# Installs what the Branch Desk app needs on Debian 12, skipping whatever is already there:
# the WebKitGTK/Tauri system packages, Xvfb and WebKitWebDriver for the end-to-end test, the
# UI's npm packages (npm ci, only when package-lock.json changed) and tauri-driver.
# Idempotent; run as root (or as a user with sudo).
#
# Usage: scripts/setup-app.sh          everything
#        scripts/setup-app.sh --ui     only the UI's npm packages (enough for scripts/test-ui.sh)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

APT_PACKAGES=(
  build-essential pkg-config file libssl-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver desktop-file-utils imagemagick
)
TAURI_DRIVER_VERSION="^2"
NODE_MIN="20.19.0" # vite 7 needs Node 20.19+ or 22.12+

say() { printf '[setup-app] %s\n' "$*"; }
die() { printf '[setup-app] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    as_root apt-get -o DPkg::Lock::Timeout=900 update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "$@"
}

version_ge() { # version_ge A B: A >= B
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  local have
  have="$(node --version | sed 's/^v//')"
  version_ge "$have" "$NODE_MIN" ||
    die "Node $have is too old: the UI build (vite 7) needs Node >= $NODE_MIN"
}

ensure_ui_packages() {
  local stamp="$ROOT/ui/node_modules/.branch-desk-lock.sha256" want
  want="$(sha256sum "$ROOT/ui/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "ui/node_modules up to date"
    return
  fi
  say "npm ci in ui/"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund)
  echo "$want" >"$stamp"
}

ensure_system_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "system packages present"
  else
    apt_install "${missing[@]}"
  fi
  [ -x /usr/bin/WebKitWebDriver ] || die "/usr/bin/WebKitWebDriver missing after installing webkit2gtk-driver"
}

ensure_rust() {
  # The toolchain pinned in rust-toolchain.toml (Debian's cargo is too old for Tauri 2).
  "$ROOT/scripts/setup-rust.sh"
}

ensure_tauri_driver() {
  if command -v tauri-driver >/dev/null; then
    say "tauri-driver present ($(command -v tauri-driver))"
    return
  fi
  say "cargo install tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
}

main() {
  ensure_node
  if [ "${1:-}" = "--ui" ]; then
    ensure_ui_packages
    return
  fi
  ensure_system_packages
  ensure_rust
  ensure_ui_packages
  ensure_tauri_driver
  say "done"
}

main "$@"
