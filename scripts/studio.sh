#!/usr/bin/env bash
# Install what is missing, then serve the studio and API at http://127.0.0.1:7860 (embedded: SQLite, Huey on
# SQLite with workers in this process, files under ./data). Settings: COMICREEL_* variables or .env.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python app.py
