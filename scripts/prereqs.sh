#!/usr/bin/env bash
# Installs the Debian packages RtcStack's tests and tools need, skipping those already present.
# Usage: scripts/prereqs.sh PACKAGE...   (sourced by run.sh and test.sh)
set -euo pipefail

ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      echo "error: installing ${missing[*]} needs root; run as root, install sudo, or: apt-get install -y ${missing[*]}" >&2
      return 1
    fi
  fi
  echo "installing Debian packages: ${missing[*]}"
  # DEBIAN_FRONTEND is passed through env, not sudo -E (which sudoers may refuse), so debconf
  # questions such as tshark's "may non-superusers capture packets?" take their defaults.
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=900)
  if ! "${sudo[@]}" "${apt[@]}" "${missing[@]}"; then
    # A fresh machine may have no package lists yet, and a cleaning hook can remove the archive
    # cache while another apt runs (see README): refresh and retry with a private cache.
    "${sudo[@]}" apt-get update -o DPkg::Lock::Timeout=900 || true
    "${sudo[@]}" "${apt[@]}" -o Dir::Cache::Archives="$(mktemp -d)/" "${missing[@]}"
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_packages "$@"
fi
