#!/usr/bin/env bash
# Renders a Kinglet report.html in headless Chromium (Debian's `chromium`), offline, writes a
# PNG screenshot, and fails when an image is broken or a script error occurs (the report marks
# its <body> with data-check="ok" once every image has loaded without an error).
#   src/bench/check-report.sh runs/<recipe>/latest/report.html [screenshot.png]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2; exit 2; }
html=$(realpath "$1")
[ -f "$html" ] || { echo "no such report: $1" >&2; exit 2; }
png=${2:-${html%.html}.png}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no Chromium found: apt-get install --no-install-recommends chromium" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile" --virtual-time-budget=15000
       --window-size=1280,2400 --hide-scrollbars)
dom=$("$browser" "${flags[@]}" --dump-dom "file://$html" 2>/dev/null)
"$browser" "${flags[@]}" --screenshot="$png" "file://$html" >/dev/null 2>&1
check=$(grep -o 'data-check="[^"]*"' <<<"$dom" | head -1 || true)
if [ "$check" != 'data-check="ok"' ]; then
  echo "report check FAILED for $html: ${check:-the page never finished loading (no data-check mark)}" >&2
  exit 1
fi
[ -s "$png" ] || { echo "report check FAILED: no screenshot written to $png" >&2; exit 1; }
images=$(grep -o '<img ' <<<"$dom" | wc -l)
echo "report ok: $html ($images images, no broken image, no script error); screenshot $png"
