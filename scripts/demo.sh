#!/usr/bin/env bash
# Install shnor into .venv, create the database, load the demo region and start the web app
# with its background worker.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .
export SHNOR_DATA_DIR="${SHNOR_DATA_DIR:-$PWD/data}"
.venv/bin/shnor migrate --verbosity 0
.venv/bin/shnor demo --if-empty
exec .venv/bin/shnor serve "${SHNOR_ADDR:-127.0.0.1:8000}"
