#!/usr/bin/env bash
# serve: the end-to-end test of `potash serve` in headless Chromium
# (internal/serve/browser_test.go). It installs Debian's chromium package when
# /usr/bin/chromium is missing, then runs the test with
# POTASH_BROWSER_TEST=required, so a missing or broken browser fails CI
# instead of skipping the test.
set -euo pipefail
cd "$(dirname "$0")/../.."

chromium=${POTASH_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
  echo "serve-e2e: $chromium missing; installing Debian's chromium package"
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    echo "serve-e2e: not root and no sudo: install chromium (apt-get install chromium) or set POTASH_CHROMIUM" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
  chromium=/usr/bin/chromium
fi
"$chromium" --version || true

shot="${TMPDIR:-/tmp}/potash-serve-e2e.png"
POTASH_BROWSER_TEST=required POTASH_CHROMIUM="$chromium" POTASH_SCREENSHOT="$shot" \
  go test ./internal/serve -run '^TestBrowser$' -count=1 -v
echo "serve-e2e: screenshots of the page in ${shot%.png}{,-full,-narrow,-narrow-full}.png"
