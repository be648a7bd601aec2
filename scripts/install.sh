#!/usr/bin/env bash
# Installs everything Postguard needs on Debian/Ubuntu: system packages (Tesseract with
# English and Chinese, fonts, Chromium and Firefox ESR with its Chinese language pack for the
# end-to-end tests, rsyslog with its TLS driver and PostgreSQL with its contrib modules (pg_trgm,
# for the review page's search) for the forwarding tests), the
# virtualenv at .venv with pinned Python packages, and the extension's build and test dependencies
# (esbuild, which bundles the content scripts; jsdom; puppeteer-core, which drives Debian's
# firefox-esr and downloads no browser); then it builds the extension's content scripts
# (extension/dist/, scripts/build-extension.mjs).
# Safe to run again: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-dev build-essential
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim
  fonts-dejavu-core fonts-wqy-microhei
  chromium openssl sqlite3 nodejs npm
  firefox-esr firefox-esr-l10n-zh-cn
  rsyslog rsyslog-gnutls postgresql postgresql-contrib systemd nginx
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node from another source (nodesource, the machine's image) counts as installed.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade "pip>=24"
# requirements.lock pins every package (including the spaCy model) so checks do not drift.
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
# The companion is installed editable: compile its modules now, so a start never compiles
# them from source (a folder the service cannot write, or PYTHONDONTWRITEBYTECODE set).
.venv/bin/python -m compileall -q companion >/dev/null

if [ -f package.json ]; then
  npm ci --silent --no-audit --no-fund
  # The content scripts are ES modules; the browser loads their bundles from extension/dist/.
  node scripts/build-extension.mjs
fi
echo "Postguard installed. Virtualenv: .venv"
