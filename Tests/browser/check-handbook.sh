#!/usr/bin/env bash
# Renders the handbook (`casework docs`) in headless Chromium, as a reader's browser would, and fails when:
# - a page logs anything to the browser console (the handbook has no script, so any message is a fault:
#   an uncaught error, a blocked or failed load);
# - a page the browser parsed refers to a local file (an <img>, a link) that is not there, or links to
#   another host in a src;
# - a page has a <script>, or a workflow drawing does not open as SVG.
# It saves screenshots of the index (desktop width) and a workflow page (phone width): the two under
# docs/images/ are made with --screenshots docs/images.
#
#   Tests/browser/check-handbook.sh [--handbook DIR] [--screenshots DIR]
#
# Without --handbook it builds the handbook of Workflows/ and Policies/ into a temporary directory with
# `swift run casework docs`; the Swift test (HandbookBrowserTests) passes the one it wrote. Needs chromium
# (or chromium-browser) on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
handbook=""
screenshots=""
while [ $# -gt 0 ]; do
  case "$1" in
    --handbook) handbook="$2"; shift 2 ;;
    --screenshots) screenshots="$2"; shift 2 ;;
    *) echo "usage: $0 [--handbook DIR] [--screenshots DIR]" >&2; exit 2 ;;
  esac
done
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then echo "error: chromium is not on PATH" >&2; exit 2; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "$handbook" ]; then
  handbook="$work/handbook"
  swift run --package-path "$root" casework docs --out "$handbook" \
    --definitions "$root/Workflows" --definitions "$root/Policies" >/dev/null
fi
screenshots="${screenshots:-$work/screenshots}"
mkdir -p "$screenshots"

# One headless Chromium run; its own noise (D-Bus, GPU, sandbox warnings) is not the page's.
run_browser() {
  timeout 120 "$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --enable-logging=stderr --v=0 "$@"
}

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

pages=("$handbook"/*.html)
[ -e "${pages[0]}" ] || { echo "error: no pages in $handbook" >&2; exit 1; }
for page in "${pages[@]}"; do
  name="$(basename "$page")"
  run_browser --dump-dom "file://$page" >"$work/dom.html" 2>"$work/log.txt" || fail "$name: chromium exited with $?"
  if grep -E ':CONSOLE|Uncaught' "$work/log.txt" >"$work/console.txt"; then
    fail "$name: console messages:"; cat "$work/console.txt" >&2
  fi
  grep -q '</main>' "$work/dom.html" || fail "$name: the browser's DOM has no </main>: the page did not render"
  grep -qi '<script' "$page" && fail "$name: has a <script>"
  # Every src and href in the DOM the browser built: no other host in a src, and every local file there.
  grep -oE '(src|href)="[^"]*"' "$work/dom.html" | sort -u | while IFS= read -r attribute; do
    target="${attribute#*=\"}"; target="${target%\"}"; target="${target%%#*}"
    case "$attribute" in src=\"http://*|src=\"https://*|src=\"//*) echo "$name: loads from another host: $attribute" ;; esac
    case "$target" in ""|http://*|https://*|mailto:*) continue ;; esac
    [ -e "$handbook/$target" ] || echo "$name: missing $target ($attribute)"
  done >"$work/missing.txt"
  if [ -s "$work/missing.txt" ]; then fail "$name:"; cat "$work/missing.txt" >&2; fi
  images=$(grep -c '<img' "$work/dom.html" || true)
  echo "checked $name: rendered, no console messages, $images image(s) present"
done

for drawing in "$handbook"/*.svg; do
  [ -e "$drawing" ] || continue
  run_browser --dump-dom "file://$drawing" >"$work/svg.html" 2>/dev/null || fail "$(basename "$drawing"): chromium exited with $?"
  grep -q '<svg' "$work/svg.html" || fail "$(basename "$drawing"): the browser did not open it as SVG"
done

# The EHC needs assessment's page when the handbook has it (the shipped set's), else the first workflow's.
workflow="$handbook/workflow-ehcp-needs-assessment.html"
[ -e "$workflow" ] || workflow="$(ls "$handbook"/workflow-*.html | head -n 1)"
run_browser --screenshot="$screenshots/handbook-index.png" --window-size=1280,1100 "file://$handbook/index.html" 2>/dev/null
run_browser --screenshot="$screenshots/handbook-workflow-phone.png" --window-size=390,1400 "file://$workflow" 2>/dev/null
for shot in handbook-index.png handbook-workflow-phone.png; do
  [ -s "$screenshots/$shot" ] || fail "no screenshot $shot"
done
echo "screenshots in $screenshots"

if [ "$failures" -gt 0 ]; then echo "$failures failure(s)" >&2; exit 1; fi
echo "handbook checked in $(basename "$browser"): ${#pages[@]} pages"
