#!/usr/bin/env bash
# Install, set up the SQLite database with demo users and work orders, then serve the web UI
# and the timer scheduler on http://127.0.0.1:5000/ (TICKETFLOW_HOST / TICKETFLOW_PORT).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TICKETFLOW_BROWSER_TESTS=0 "$ROOT/scripts/install.sh"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
ticketflow init
ticketflow demo
exec ticketflow serve "$@"
