#!/usr/bin/env bash
# PDF charts: text extracted by poppler's pdftotext keeps "Klaipėda",
# "2020–2025" and the minus sign (issues 12 and 16). Installs Debian's
# poppler-utils when pdftotext is missing, then runs the plots test with
# POTASH_PDFTOTEXT=required (so a missing tool fails instead of skipping)
# and checks the PDF of `potash backtest --charts pdf`.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v pdftotext >/dev/null 2>&1; then
  echo "pdf-text: pdftotext missing; installing Debian's poppler-utils package"
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    echo "pdf-text: not root and no sudo: install poppler-utils (apt-get install poppler-utils)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq poppler-utils >/dev/null
fi
pdftotext -v 2>&1 | head -1 || true

POTASH_PDFTOTEXT=required go test ./plots -run '^TestPDF' -count=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/potash" ./cmd/potash
"$tmp/potash" backtest --charts pdf --out "$tmp/bt" >/dev/null
check() { # file, wanted strings...
  local f=$1; shift
  pdftotext "$f" "$tmp/text.txt"
  for want in "$@"; do
    if ! grep -q "$want" "$tmp/text.txt"; then
      echo "pdf-text: $(basename "$f") lacks \"$want\" after pdftotext:"; head -20 "$tmp/text.txt"; exit 1
    fi
  done
}
check "$tmp/bt/backtest.pdf" "2020–2025" "Klaipėda"
check "$tmp/bt/backtest-factors.pdf" "2021–22" "Klaipėda"
echo "pdf-text: backtest PDFs keep \"Klaipėda\" and \"2020–2025\""
