#!/usr/bin/env bash
# Install the Debian packages the native stack needs, only those missing.
# As root: apt-get install. Otherwise: print the exact command and fail.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^\s*$/d' "$here/system-packages.txt" "$@" | tr -d ' ')
missing=()
for pkg in "${wanted[@]}"; do
  # captured, not piped into grep -q: under pipefail an early grep exit can fail the writer
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == *"install ok installed"* ]] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all ${#wanted[@]} present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: missing Debian packages: ${missing[*]}" >&2
  echo "run as root:  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
