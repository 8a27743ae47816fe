#!/usr/bin/env bash
# Real-browser check of the reports: renders the demo in headless Chromium (Debian's
# `chromium`), loads the portfolio and one organization page from disk, and checks for console
# errors, network requests and blank screenshots; then fills in the answer form
# (scripts/form_check.py). Run from anywhere; CI runs it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run --release --quiet -- report --out "$tmp/reports" --quiet
first=$(ls "$tmp/reports/orgs" | sort | head -1)
python3 scripts/browser_check.py "$tmp/reports/index.html" "$tmp/reports/orgs/$first" \
  --screenshots "${SCREENSHOTS:-$tmp/screenshots}"
# The answer form: filled in like a person, saved, scored with --self-assessment (SPEC §12).
python3 scripts/form_check.py --binary target/release/partnerscope
