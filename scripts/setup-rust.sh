#!/usr/bin/env bash
# Makes the Rust toolchain pinned in rust-toolchain.toml usable, before any cargo command runs in
# the tree. With rustup and network access rustup installs it itself. Offline (CI, the branch
# PCs' build machine) a machine whose `stable` toolchain is exactly the pinned version gets the
# pinned name as a link to it, so rustup does not try to download what is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

pinned="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$ROOT/rust-toolchain.toml")"
[ -n "$pinned" ] || { echo "[setup-rust] rust-toolchain.toml names no channel" >&2; exit 1; }

if ! command -v rustup >/dev/null; then
  command -v cargo >/dev/null ||
    { echo "[setup-rust] cargo not found: install Rust $pinned (https://rustup.rs)" >&2; exit 1; }
  have="$(rustc --version | awk '{print $2}')"
  [ "$have" = "$pinned" ] ||
    echo "[setup-rust] warning: rustc $have without rustup; the gates are pinned to $pinned" >&2
  exit 0
fi

rustup_home="${RUSTUP_HOME:-$HOME/.rustup}"
host="$(cd / && rustc -vV | sed -n 's/^host: //p')"
if [ ! -e "$rustup_home/toolchains/$pinned-$host" ]; then
  stable_version="$(cd / && rustup run stable rustc --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$stable_version" = "$pinned" ]; then
    echo "[setup-rust] using the installed stable ($stable_version) as $pinned"
    ln -s "$rustup_home/toolchains/stable-$host" "$rustup_home/toolchains/$pinned-$host"
  else
    echo "[setup-rust] installing Rust $pinned (stable here is ${stable_version:-absent})"
    (cd / && rustup toolchain install "$pinned" --profile minimal --component rustfmt,clippy)
  fi
fi
for c in rustfmt clippy; do
  (cd "$ROOT" && rustup component list --installed 2>/dev/null | grep -q "^$c") ||
    (cd "$ROOT" && rustup component add "$c")
done
echo "[setup-rust] $(cd "$ROOT" && rustc --version)"
