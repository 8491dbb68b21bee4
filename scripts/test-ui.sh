#!/usr/bin/env bash
# UI checks: TypeScript type check and the vitest unit tests of ui/. Installs the UI's npm
# packages first when package-lock.json changed. Ends with a plain "ui: N passed, N failed" line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup-app.sh" --ui

cd "$ROOT/ui"
echo "[test-ui] tsc --noEmit"
npx --no-install tsc --noEmit

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
status=0
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`ui: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$report" || echo "ui: vitest wrote no report"
exit "$status"
