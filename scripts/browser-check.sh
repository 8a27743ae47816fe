#!/usr/bin/env bash
# Real-browser check of the pages: renders the demo report, the stats page and (where this
# build has them) a self-assessment page and the questionnaire form, then checks every page
# in headless Chromium with scripts/browser_check.py (console, network, SVG text inside its
# box, overflow at 1280 and 390 px, hidden table columns at 1280 px, chart text size at 390 px,
# legend colours, unit filters, axe-core, printed width, page count, text scale and printed
# chart text). Run from anywhere; CI runs it after the tests. Needs Debian's `chromium` (or
# Chrome), python3 and npm (for axe-core).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || command -v google-chrome >/dev/null || {
  echo "chromium is not installed (apt-get install chromium)"; exit 1; }
# axe-core comes from the npm registry (installed by browser_check.py into a cache folder).
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = "0" ]; then apt-get install -y -qq npm >/dev/null; else sudo apt-get install -y -qq npm >/dev/null; fi
fi
# pdftotext (poppler-utils) measures the printed text's scale.
if ! command -v pdftotext >/dev/null; then
  if [ "$(id -u)" = "0" ]; then apt-get install -y -qq poppler-utils >/dev/null; else sudo apt-get install -y -qq poppler-utils >/dev/null; fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo build --release --quiet
bin=target/release/partnerscope
demo=surveys/demo/responses.csv
"$bin" report --out "$tmp/reports" --quiet >/dev/null
"$bin" stats "$demo" --orgs surveys/demo/orgs.csv --out "$tmp/stats" --quiet >/dev/null
pages=("$tmp/reports/index.html" "$tmp"/reports/orgs/*.html "$tmp/stats/stats.html")
if "$bin" report --help | grep -q -- '--self-assessment'; then
  # One person's answers (a self-assessment of more than T answers is refused, SPEC §15).
  "$bin" report examples/self-assessment/*.csv --self-assessment --out "$tmp/self" --quiet >/dev/null
  pages+=("$tmp"/self/orgs/*.html)
fi
if "$bin" --help | grep -q '^  questionnaire'; then
  "$bin" questionnaire --out "$tmp/form" --quiet >/dev/null
  while IFS= read -r -d '' page; do pages+=("$page"); done < <(find "$tmp/form" -name '*.html' -print0)
fi
# Every organization page of the demo (4 roles, 3 waves) must print within 8 pages (9 where it
# lists comments, which are free text of any length), its chart text at 6.7 pt or more.
python3 scripts/browser_check.py "${pages[@]}" --root "$tmp" \
  --print-limit "$tmp"/reports/orgs/*.html --max-pages 8 --chart-text 6.7 \
  --screenshots "${SCREENSHOTS:-$tmp/screenshots}"
# The answer form: filled in like a person, saved, scored with --self-assessment (SPEC §12).
python3 scripts/form_check.py --binary target/release/partnerscope
# Conditional questions (SPEC §16): answered along a conditional path, saved, and compared
# with partnerscope's own evaluation of the conditions.
python3 scripts/conditions_check.py --binary target/release/partnerscope
