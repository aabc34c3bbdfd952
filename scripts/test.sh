#!/usr/bin/env bash
# Install, then run the whole test suite (SQLite; set TICKETFLOW_TEST_DATABASE_URL for PostgreSQL).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install.sh"
cd "$ROOT"
exec .venv/bin/python -m pytest "$@"
