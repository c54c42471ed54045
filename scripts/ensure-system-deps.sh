#!/usr/bin/env bash
# Installs (idempotently, as root, from Debian's packages) what the test suite needs from the
# system: Chromium for the end-to-end UI tests; podman (Docker Engine API without Docker), runc
# (its runtime here: crun cannot run on this hybrid cgroup setup) and a static busybox (the rootfs
# of the local test image: Docker Hub is not needed) for the agent's Docker end-to-end test; and a
# running Redis on 127.0.0.1:6379 for the multi-instance tests (unless TEST_REDIS_URL names one).
# Without root it says in one line what to install or start.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || need+=(busybox-static)
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
want_redis=false
if [ -z "${TEST_REDIS_URL:-}" ] && ! redis_up; then
  want_redis=true
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
fi
if [ ${#need[@]} -eq 0 ] && [ "$want_redis" = false ]; then echo "system packages present"; exit 0; fi
if [ "$(id -u)" != "0" ]; then
  [ ${#need[@]} -gt 0 ] && echo "missing system packages: ${need[*]} — install them with: sudo apt-get install -y ${need[*]}" >&2
  [ "$want_redis" = true ] && echo "Redis is not running on 127.0.0.1:6379 — start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no (or set TEST_REDIS_URL)" >&2
  exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "installed ${need[*]}"
fi
if [ "$want_redis" = true ] && ! redis_up; then
  echo "starting Redis on 127.0.0.1:6379 (in memory only)…"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --logfile "" >/dev/null
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
  redis_up || { echo "Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
  echo "Redis started"
fi
