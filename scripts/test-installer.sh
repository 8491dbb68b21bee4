#!/usr/bin/env bash
# The packaged installer test (part of the README's test command): builds the release .deb,
# inspects it, installs it with apt, drives the installed app through its window (first run on
# the demo database; then connected to a real PostgreSQL as a branch desk, through PgBouncer in
# transaction mode), installs a newer build
# over it (settings, demo data and new migrations must survive the upgrade), and removes it
# cleanly. Artifacts (package listing, screenshots) go to artifacts/installer/.
#
# Needs root (it installs packages). Env: CARGO_TARGET_DIR (default target/ in the repo),
# INSTALLER_SKIP_BUILD=1 to reuse the .debs of both versions built before, when present (quick
# re-runs while developing: the installed and upgraded behaviour of the code they were built from).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
ART="$ROOT/artifacts/installer"
PACKAGE=branch-desk
# shellcheck source=scripts/pg.sh
source "$ROOT/scripts/pg.sh"

say() { printf '[test-installer] %s\n' "$*" >&2; }
die() { printf '[test-installer] ERROR: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_quiet() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -qq "$@"; }

rm -rf "$ART"
mkdir -p "$ART"
state="$(mktemp -d /tmp/branchdesk-installer.XXXXXX)"
chmod 755 "$state"
cluster=""
bouncer=""
cleanup() {
  local status=$?
  [ -n "$bouncer" ] && pgbouncer_stop "$bouncer"
  [ -n "$cluster" ] && pg_stop "$cluster"
  if dpkg-query -W "$PACKAGE" >/dev/null 2>&1; then apt_quiet purge "$PACKAGE" >/dev/null 2>&1 || true; fi
  rm -rf "$state"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Builds the release bundle of the tree in $1 and prints the .deb's path.
build_deb() {
  local tree=$1 started=$SECONDS
  local version
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$tree/Cargo.toml" | sed -n 1p)"
  if [ "${INSTALLER_SKIP_BUILD:-0}" != 1 ] || ! ls "$TARGET_DIR/release/bundle/deb/"*"_${version}_"*.deb >/dev/null 2>&1; then
    say "building the release .deb from $tree (target dir $TARGET_DIR)"
    rm -f "$TARGET_DIR/release/bundle/deb/"*"_${version}_"*.deb # other versions stay for INSTALLER_SKIP_BUILD
    (cd "$tree" && CARGO_TARGET_DIR="$TARGET_DIR" ui/node_modules/.bin/tauri build --ci -- --locked) >&2 ||
      die "the release build failed (see above)"
    say "release build took $((SECONDS - started)) s"
  fi
  ls "$TARGET_DIR/release/bundle/deb/"*"_${version}_"*.deb 2>/dev/null | sed -n 1p
}

# ---- 1. Build and inspect -------------------------------------------------------------------
deb="$(build_deb "$ROOT")"
[ -f "$deb" ] || die "no .deb was built"
cp "$deb" "$state/old.deb"
deb="$state/old.deb"
dpkg-deb -I "$deb" >"$ART/deb-info.txt"
dpkg-deb -c "$deb" >"$ART/deb-contents.txt"
say "package: $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version), $(du -h "$deb" | cut -f1)"
[ "$(dpkg-deb -f "$deb" Package)" = "$PACKAGE" ] || die "the package is not called $PACKAGE"
for field in Version Architecture Maintainer Description Depends; do
  [ -n "$(dpkg-deb -f "$deb" "$field")" ] || die "the package has no $field"
done

rpm="$(ls "$TARGET_DIR"/release/bundle/rpm/*"-$(dpkg-deb -f "$deb" Version)-"*.rpm 2>/dev/null | sed -n 1p)"
[ -n "$rpm" ] || die "no .rpm next to the .deb (bundle.targets declares both)"
say "also built: $(basename "$rpm") ($(du -h "$rpm" | cut -f1))"

root_fs="$state/deb-root"
dpkg-deb -x "$deb" "$root_fs"
[ -x "$root_fs/usr/bin/branch-desk" ] || die "no /usr/bin/branch-desk in the package"
desktop="$(find "$root_fs/usr/share/applications" -name '*.desktop' | sed -n 1p)"
[ -n "$desktop" ] || die "no desktop entry in the package"
desktop-file-validate "$desktop" || die "the desktop entry does not validate"
grep -q '^Exec=branch-desk' "$desktop" || die "the desktop entry does not start branch-desk"
cp "$desktop" "$ART/"
for size in 32x32 64x64 128x128 256x256@2 512x512; do
  [ -f "$root_fs/usr/share/icons/hicolor/$size/apps/branch-desk.png" ] || die "no $size icon in the package"
done

# Every library the binary links must come from a package that Depends pulls in (directly or
# through the dependencies of what it names): checked against this machine's packages.
depends="$(dpkg-deb -f "$deb" Depends)"
say "Depends: $depends"
closure="$state/depends-closure"
# The installed packages that Depends pulls in, following Depends and Pre-Depends of installed
# packages (dpkg's own records: no apt lists needed). Alternatives all count; virtual packages
# resolve to the installed packages that provide them.
python3 - "$depends" >"$closure" <<'PY'
import re, subprocess, sys
rows = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Status}\t${Provides}\t${Depends}, ${Pre-Depends}\n"],
                      capture_output=True, text=True, check=True).stdout.splitlines()
deps, providers = {}, {}
for row in rows:
    name, status, provides, depends = row.split("\t")
    if not status.endswith(" installed"):
        continue
    names = lambda field: [re.sub(r"[ (:].*", "", a.strip()) for a in re.split(r"[,|]", field) if a.strip()]
    deps[name] = names(depends)
    for virtual in names(provides):
        providers.setdefault(virtual, []).append(name)
todo = [re.sub(r"[ (:].*", "", d.strip()) for d in re.split(r"[,|]", sys.argv[1]) if d.strip()]
seen = set()
while todo:
    p = todo.pop()
    for real in ([p] if p in deps else providers.get(p, [])):
        if real not in seen:
            seen.add(real)
            todo.extend(deps[real])
print("\n".join(sorted(seen)))
PY
missing=0
for lib in $(readelf -d "$root_fs/usr/bin/branch-desk" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
  path="$(ldconfig -p | awk -v l="$lib" '$1 == l && !found++ { print $NF }')"
  [ -n "$path" ] || { say "linked library $lib is not on this machine"; missing=1; continue; }
  owner="$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed -n '1s/:.*//p' || true)"
  owner="${owner:-$(dpkg -S "$path" 2>/dev/null | sed -n '1s/:.*//p' || true)}"
  if ! grep -qx "$owner" "$closure"; then
    say "linked library $lib (package ${owner:-unknown}) is not pulled in by Depends"
    missing=1
  fi
  echo "$lib $owner" >>"$ART/linked-libraries.txt"
done
[ "$missing" = 0 ] || die "Depends does not cover what the binary links (see $ART/linked-libraries.txt)"
say "inspected: binary, desktop entry, icons, and Depends covers $(wc -l <"$ART/linked-libraries.txt") linked libraries"

# ---- 2. Install and drive the installed app --------------------------------------------------
if dpkg-query -W "$PACKAGE" >/dev/null 2>&1; then apt_quiet purge "$PACKAGE" >/dev/null; fi
apt_quiet install "$deb" >/dev/null
[ "$(dpkg-query -W -f='${Status}' "$PACKAGE")" = "install ok installed" ] || die "apt did not install the package"
[ -x /usr/bin/branch-desk ] || die "the package did not install /usr/bin/branch-desk"

# One club database and one home for both versions: the upgrade must keep what the first made.
cluster="$state/club-pg"
export E2E_PG_DIR="$cluster" E2E_CLUB_PORT="$(pg_free_port)" E2E_CLUB_ROLE=desk_ldn_installer E2E_CLUB_PASSWORD=installer-desk-pw
pg_club "$cluster" "$E2E_CLUB_PORT" "$E2E_CLUB_ROLE" "$E2E_CLUB_PASSWORD"
# The desk reaches the club through PgBouncer in transaction mode (deploy/pgbouncer/), as a club
# of many branches would run it; the tests' set-up and checks go to PostgreSQL directly.
bouncer="$state/pgbouncer"
pgbouncer_start "$bouncer" "$(pg_free_port)" "$E2E_CLUB_PORT"
export E2E_CLUB_DESK_PORT="$PGBOUNCER_PORT"
export E2E_HOME="$state/home" E2E_STATE_FILE="$state/demo-booking.json" E2E_SKIP_SETUP=1

say "driving the installed app: first run on the demo database, then the club database"
BRANCH_DESK_BIN=/usr/bin/branch-desk E2E_SUITES=demo,club E2E_ARTIFACTS="$ART/e2e-installed" \
  "$ROOT/scripts/test-e2e.sh"

# ---- 3. Upgrade: a newer build with one more migration, installed over the first ------------
old_version="$(dpkg-query -W -f='${Version}' "$PACKAGE")"
next="$state/next"
say "making the next version's tree in $next"
mkdir -p "$next"
tar -C "$ROOT" --exclude=./target --exclude=./ui/node_modules --exclude=./artifacts --exclude=./.git \
  --exclude=./bench-results -cf - . | tar -C "$next" -xf -
ln -s "$ROOT/ui/node_modules" "$next/ui/node_modules"
next_version="$(python3 - "$next/Cargo.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
old = re.search(r'^version = "(\d+)\.(\d+)\.(\d+)"', text, re.M)
new = f"{old[1]}.{old[2]}.{int(old[3]) + 1}"
open(path, "w").write(text.replace(old[0], f'version = "{new}"', 1))
print(new)
PY
)"
probe=29991231000000
printf -- '-- Only in the upgrade test'"'"'s next build: proves a newer app migrates the demo database.\ncreate table public.upgrade_probe (id integer primary key);\n' \
  >"$next/migrations/${probe}_upgrade_probe.sql"
(cd "$next" && cargo update --workspace --offline -q)
new_deb="$(build_deb "$next")"
[ -f "$new_deb" ] || die "no .deb was built for $next_version"
apt_quiet install "$new_deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' "$PACKAGE")" = "$next_version" ] || die "the upgrade did not install $next_version"
say "upgraded $old_version -> $next_version"
BRANCH_DESK_BIN=/usr/bin/branch-desk E2E_SUITES=upgraded E2E_ARTIFACTS="$ART/e2e-upgraded" \
  E2E_EXPECT_VERSION="$next_version" E2E_EXPECT_SCHEMA="$probe" "$ROOT/scripts/test-e2e.sh"

# ---- 4. Remove ------------------------------------------------------------------------------
apt_quiet purge "$PACKAGE" >/dev/null
left="$(ls /usr/bin/branch-desk /usr/share/applications/*branch* /usr/share/applications/Branch* \
  /usr/share/icons/hicolor/*/apps/branch-desk.png 2>/dev/null || true)"
[ -z "$left" ] || die "left behind after removal: $left"
! dpkg-query -W "$PACKAGE" >/dev/null 2>&1 || [ "$(dpkg-query -W -f='${Status}' "$PACKAGE")" = "unknown ok not-installed" ] ||
  die "dpkg still lists $PACKAGE"
say "removed cleanly: nothing left in /usr/bin, /usr/share/applications or the icon theme"
say "passed; artifacts in $ART"
