#!/usr/bin/env bash
# Debian packages the project needs, installed when missing (the README's commands call this).
#   scripts/system-packages.sh demo   fonts and Pango for PDFs of the disclosure sheets
#   scripts/system-packages.sh test   the same, Chromium for the browser tests, hledger for the
#                                     journal export tests, ledger (and hledger) for the
#                                     benchmark's comparison (scripts/bench.py)
set -euo pipefail
packages=(fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0)
if [ "${1:-demo}" = "test" ]; then
  packages+=(chromium hledger ledger)
fi
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
run=()
[ "$(id -u)" -ne 0 ] && run=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
