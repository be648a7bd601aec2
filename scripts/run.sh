#!/usr/bin/env bash
# Installs everything, then starts the companion on 127.0.0.1:7717 with the embedded
# defaults: the example org, the rule packs in rules/, the SQLite audit store in
# ~/.local/share/postguard. Stop it with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
cat <<'MSG'

Load the extension: open chrome://extensions (or edge://extensions), turn on
Developer mode, click "Load unpacked" and choose the extension/ folder of this repo.

MSG
exec .venv/bin/postguard serve "$@"
