#!/usr/bin/env bash
# Install what is missing, make sure PostgreSQL and Redis run (the S3 server is started by the tests), run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

extra=()
command -v pg_ctlcluster >/dev/null || extra+=(postgresql)
command -v redis-server >/dev/null || extra+=(redis-server)
command -v chromium >/dev/null || extra+=(chromium)  # the browser tests drive Debian's Chromium (never `playwright install`)
bash scripts/install.sh "${extra[@]}"
bash scripts/install_coqui.sh  # the optional coqui engine, so its test runs in CI too
# The optional diffusers image backend (the gpu extra), so its tests run in CI too. After install_coqui.sh: torch is
# then the pinned CPU build, and installing it first again keeps anything from pulling a CUDA build (checked with
# `pip install --dry-run -e ".[gpu]"`: nothing but the project itself would change). Skipped when already importable.
if ! .venv/bin/python -c "import diffusers, transformers, accelerate, peft, safetensors" >/dev/null 2>&1; then
  echo "== pip install -e .[gpu] (CPU torch)"
  .venv/bin/python -m pip install -q "torch==${COMICREEL_TORCH_VERSION:-2.13.0}"
  .venv/bin/python -m pip install -q -e ".[gpu]"
fi

# PostgreSQL: start the cluster if it is down; use trust auth on loopback if allowed, else give postgres a password.
if ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'comicreel'\"" >/dev/null
  export COMICREEL_TEST_PG_URL="postgresql+psycopg://postgres:comicreel@127.0.0.1:5432/postgres"
fi

# Redis: start it if it is down (nothing kept on disk).
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

exec .venv/bin/python -m pytest "$@"
