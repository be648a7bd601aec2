#!/usr/bin/env bash
# Installs everything, then runs every test: the companion (Presidio + spaCy, Tesseract,
# the real HTTP server), the rule-pack examples and the labeled corpus, the extension's
# unit tests (node --test) and the end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
export OMP_THREAD_LIMIT=1
status=0
if [ -f package.json ]; then
  npm test || status=1
fi
.venv/bin/python -m pytest -q -p no:cacheprovider "$@" || status=1
exit $status
