#!/usr/bin/env bash
# Install the optional coqui-tts engine (pip install -e ".[coqui]") into .venv, with what it needs around it:
# - torch first, pinned to the CPU build this machine keeps on disk, so nothing later pulls a CUDA build;
# - torchaudio and torchcodec without their dependencies (each pins its own torch): coqui-tts refuses to import
#   without them, and uses neither for synthesis. PyPI's torchaudio is a CUDA build whose compiled libraries fail to
#   load beside CPU torch; its pure-Python part works once they are removed.
# Safe to run again: it does nothing when `from TTS.api import TTS` already works.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if "$PY" -c "from TTS.api import TTS" >/dev/null 2>&1; then
  exit 0
fi
echo "== pip install coqui-tts (CPU torch)"
"$PY" -m pip install -q "torch==${COMICREEL_TORCH_VERSION:-2.13.0}"
"$PY" -m pip install -q -e ".[coqui]"
"$PY" -m pip install -q --no-deps torchaudio torchcodec
site=$("$PY" -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("torchaudio").origin).parent)')
rm -f "$site"/lib/*.so
"$PY" -c "from TTS.api import TTS" >/dev/null
