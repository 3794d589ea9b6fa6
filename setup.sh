#!/usr/bin/env bash
# Installs everything briefing needs on Debian/Ubuntu: the system libraries WeasyPrint uses
# (Pango, HarfBuzz subsetter), then a virtual environment in .venv with the package.
#   ./setup.sh          runtime only
#   ./setup.sh --test   runtime plus what the tests need
set -euo pipefail
cd "$(dirname "$0")"

extra=""
if [ "${1:-}" = "--test" ]; then extra="[test]"; fi

missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so.0 || missing+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so.0 || missing+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so.0 || missing+=(libharfbuzz-subset0)
python3 -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
# the tagging tests read the structure tree with poppler's pdfinfo -struct-text
if [ -n "$extra" ]; then command -v pdfinfo >/dev/null || missing+=(poppler-utils); fi
# the audience tests read every PDF uncompressed with qpdf --qdf, so no marker hides in a stream
if [ -n "$extra" ]; then command -v qpdf >/dev/null || missing+=(qpdf); fi
# the preview page's browser tests drive Debian's Chromium through Playwright (never `playwright install`)
if [ -n "$extra" ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}" >&2
  if ! command -v apt-get >/dev/null; then
    echo "setup: no apt-get here; install Pango >= 1.44 and HarfBuzz with your package manager" >&2
    exit 4
  fi
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
# an editable install leaves the package uncompiled; where PYTHONDONTWRITEBYTECODE is set, every
# run would compile its modules again (docs/performance.md): compile them once here
.venv/bin/python -m compileall -q src
echo "setup: ready (.venv/bin/briefing)" >&2
