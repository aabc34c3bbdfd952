#!/usr/bin/env bash
# Install everything ticketflow needs into this checkout: system packages (when root and
# missing), a Python virtualenv in .venv, and the front-end packages from the npm registry.
# Safe to re-run; sourced by start.sh and test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ "${TICKETFLOW_BROWSER_TESTS:-1}" = "1" ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  fc-list 2>/dev/null | grep -qi "noto sans cjk" || need_apt+=(fonts-noto-cjk)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "warning: please install: ${need_apt[*]} (not root or no apt-get)" >&2
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> pip install -e .[test]"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -e ".[test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ -f package-lock.json ]; then
  lockstamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f "$lockstamp" ]; then
    echo "==> npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch "$lockstamp"
  fi
fi

# The process owners' modeller (bpmn-js + properties panel) is ESM: bundle it locally with esbuild.
if [ -f package-lock.json ]; then
  bundle="web/static/vendor/modeller/modeller.js"
  if [ ! -f "$bundle" ] || [ "$lockstamp" -nt "$bundle" ] || [ web/modeller/static_src/modeller.js -nt "$bundle" ]; then
    echo "==> npm run build:modeller"
    npm run --silent build:modeller
  fi
fi
