#!/usr/bin/env bash
# Installs (idempotently, as root, from Debian's packages) what the test suite needs from the
# system: Chromium for the end-to-end UI tests; podman (Docker Engine API without Docker), runc
# (its runtime here: crun cannot run on this hybrid cgroup setup) and a static busybox (the rootfs
# of the local test image: Docker Hub is not needed) for the agent's Docker end-to-end test.
# Without root it says in one line what to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || need+=(busybox-static)
[ ${#need[@]} -eq 0 ] && { echo "system packages present"; exit 0; }
if [ "$(id -u)" != "0" ]; then
  echo "missing system packages: ${need[*]} — install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing ${need[*]} (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "installed ${need[*]}"
