#!/usr/bin/env bash
# Smoke test of the agent image (agent/Dockerfile) with podman, without any container registry:
#   1. builds a local stand-in for node:20-alpine from this machine's Node.js (the `node` binary
#      with the shared libraries ldd lists, npm, a static busybox for sh/sed/mkdir/chown, a `node`
#      user with uid 1000, the CA bundle) and imports it with `podman import`;
#   2. `podman build -f agent/Dockerfile --build-arg NODE_IMAGE=<stand-in> .` (npm install inside
#      the build reaches the npm registry through the host network);
#   3. starts the built backend (dist/backend, embedded PostgreSQL) and a podman Docker-API socket,
#      runs the image as docker-compose.yml's `agent` service does (/ at /host read-only, /proc at
#      /host/proc, the socket as /var/run/docker.sock, pid host, the API key as a file secret) and
#      checks what arrives: hello (docker true, the host's OS), the host's cores, memory, root
#      filesystem and interfaces, the containers with CPU/memory; then a graceful stop (exit 0);
#   4. prints the image size and removes everything it created.
# Usage (as root, from anywhere): bash scripts/agent-image-smoke.sh
# Needs: podman runc busybox-static (scripts/ensure-system-deps.sh installs them) and a built
# backend (dist/backend/main.js: npm run build). KEEP=1 keeps the work dir for inspection.
# Storage driver: overlay (STORAGE_DRIVER=vfs if the filesystem under TMPDIR cannot do overlay).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE_DIR="${TMPDIR:-/tmp}"
PREFIX="chatops-agent-image."
STANDIN_IMAGE="localhost/chatops/node20-standin:latest"
AGENT_IMAGE="localhost/chatops-agent:smoke"
T0=$SECONDS

log() { printf '[agent-image %3ss] %s\n' "$((SECONDS - T0))" "$*"; }
fail() { printf '[agent-image] FAILED: %s\n' "$*" >&2; exit 1; }

# ---- preconditions ---------------------------------------------------------------------------------
[ "$(id -u)" = "0" ] || fail "run as root (podman as root, and the sidecar mounts the host's / and /proc)"
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v curl >/dev/null 2>&1 || missing+=(curl)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
[ ${#missing[@]} -eq 0 ] || fail "missing ${missing[*]}: apt-get install -y ${missing[*]} (bash scripts/ensure-system-deps.sh installs podman, runc and busybox-static)"
NODE_BIN="$(command -v node)" || fail "node is not on the PATH"
NPM_DIR="$(npm root -g)/npm"
[ -f "$NPM_DIR/bin/npm-cli.js" ] || fail "npm's package not found at $NPM_DIR"
[ -f "$ROOT/dist/backend/main.js" ] || fail "$ROOT/dist/backend/main.js is missing: run npm run build"

# ---- work dir, and the remains of an interrupted run -------------------------------------------
unmount_under() { # lazily unmount everything below $1 (overlay layers, container shm), deepest first
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
stop_pidfile() { # SIGTERM, then wait up to 10 s (the backend stops its PostgreSQL first)
  [ -f "$1" ] || return 0
  local pid; pid="$(cat "$1")"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}
remove_run_dir() { # containers, volumes, backend, podman service, mounts, files of one run
  local d="$1"
  if [ -f "$d/containers.conf" ]; then
    CONTAINERS_CONF="$d/containers.conf" CONTAINERS_STORAGE_CONF="$d/storage.conf" podman rm -a -f -t 0 >/dev/null 2>&1
    CONTAINERS_CONF="$d/containers.conf" CONTAINERS_STORAGE_CONF="$d/storage.conf" podman volume rm -a -f >/dev/null 2>&1
  fi
  stop_pidfile "$d/backend.pid"
  stop_pidfile "$d/service.pid"
  unmount_under "$d"
  rm -rf "$d"
}
for old in "$BASE_DIR/$PREFIX"*; do
  [ -d "$old" ] || continue
  if [ -f "$old/owner.pid" ] && kill -0 "$(cat "$old/owner.pid")" 2>/dev/null; then continue; fi
  log "removing the remains of an earlier run: $old"
  remove_run_dir "$old" || true
done
WORK="$(mktemp -d "$BASE_DIR/${PREFIX}XXXXXX")"
chmod 755 "$WORK"
echo $$ > "$WORK/owner.pid"

cleanup() {
  local rc=$?
  set +e
  if [ "$rc" != 0 ] && [ -f "$WORK/backend.log" ]; then
    echo "---- agent container log (last 40 lines)"; podman logs --tail 40 chatops-agent-smoke 2>&1
    echo "---- backend log (last 20 lines)"; tail -n 20 "$WORK/backend.log"
  fi >&2
  if [ "${KEEP:-}" = "1" ]; then
    log "KEEP=1: left $WORK running (podman: CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf); the next run removes it"
    exit "$rc"
  fi
  remove_run_dir "$WORK"
  log "cleaned up"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Private podman configuration: storage, run state, events and network config all under $WORK.
# runc (crun fails on this hybrid cgroup setup), cgroupfs, file events: see /work/shared/ENVIRONMENT.md.
cat > "$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[network]
network_config_dir = "$WORK/net"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
tmp_dir = "$WORK/tmp"
EOF
cat > "$WORK/storage.conf" <<EOF
[storage]
driver = "${STORAGE_DRIVER:-overlay}"
runroot = "$WORK/run"
graphroot = "$WORK/root"
EOF
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/storage.conf"
unset CONTAINER_HOST DOCKER_HOST

# ---- 1. the stand-in base image ----------------------------------------------------------------
log "stand-in for node:20-alpine from this machine's $("$NODE_BIN" --version) ($NODE_BIN), npm $(npm --version), busybox-static"
R="$WORK/rootfs"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/lib/node_modules,etc/ssl/certs,home/node,root,tmp,proc,sys,dev,run,var/tmp}
chmod 1777 "$R/tmp" "$R/var/tmp"
cp "$NODE_BIN" "$R/usr/local/bin/node"
# the dynamic loader and every library node links (ldd: "lib => /path (addr)" and "/lib64/ld-... (addr)")
ldd "$NODE_BIN" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
  cp -L --parents "$lib" "$R/"
done
cp -a "$NPM_DIR" "$R/usr/local/lib/node_modules/npm"
for tool in npm npx; do
  printf '#!/bin/sh\nexec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/%s-cli.js "$@"\n' "$tool" > "$R/usr/local/bin/$tool"
  chmod 755 "$R/usr/local/bin/$tool"
done
cp /bin/busybox "$R/bin/busybox"
busybox --list-full | while read -r applet; do
  [ -e "$R/$applet" ] || [ -L "$R/$applet" ] || ln -s /bin/busybox "$R/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:Linux User,,,:/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' > "$R/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' > "$R/etc/group"
chown 1000:1000 "$R/home/node"
# This machine reaches the npm registry through a TLS proxy whose CA is in its bundle.
cp -L /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/ca-certificates.crt"
printf 'hosts: files dns\n' > "$R/etc/nsswitch.conf"
tar -C "$R" -cf "$WORK/rootfs.tar" .
rm -rf "$R"
podman import -q \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$("$NODE_BIN" --version | tr -d v)" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  "$WORK/rootfs.tar" "$STANDIN_IMAGE" >/dev/null
rm -f "$WORK/rootfs.tar"
log "imported $STANDIN_IMAGE"

# ---- 2. build agent/Dockerfile -----------------------------------------------------------------
log "podman build -f agent/Dockerfile --build-arg NODE_IMAGE=$STANDIN_IMAGE (npm install from the registry)"
B0=$SECONDS
# --ignorefile: what BuildKit does by itself with agent/Dockerfile.dockerignore; --network host: the
# RUN steps reach the registry without a CNI bridge.
if ! podman build -q -f "$ROOT/agent/Dockerfile" --ignorefile "$ROOT/agent/Dockerfile.dockerignore" \
  --network host --build-arg "NODE_IMAGE=$STANDIN_IMAGE" -t "$AGENT_IMAGE" "$ROOT" > "$WORK/build.log" 2>&1; then
  cat "$WORK/build.log" >&2
  fail "podman build"
fi
log "built $AGENT_IMAGE in $((SECONDS - B0)) s"

# ---- 3. backend, Docker API socket, the sidecar ------------------------------------------------
SOCK="$WORK/docker.sock"
podman system service --time=0 "unix://$SOCK" > "$WORK/service.log" 2>&1 &
echo $! > "$WORK/service.pid"
for _ in $(seq 100); do curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null || fail "podman system service did not answer on $SOCK: $(cat "$WORK/service.log")"
# Docker's socket is root:docker 0660; give this one the same shape (its group: root).
chmod 660 "$SOCK"
SOCK_GID="$(stat -c %g "$SOCK")"
# A second container to be listed besides the sidecar itself (busybox of the stand-in image).
podman run -d -q --name chatops-smoke-sleeper --network none "$STANDIN_IMAGE" sleep 600 >/dev/null

PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
BASE="http://127.0.0.1:$PORT"
mkdir -p "$WORK/backend-data"
CHATOPS_DATA_DIR="$WORK/backend-data" PORT="$PORT" HOST=127.0.0.1 SERVE_FRONTEND=false LOG_LEVEL=warn LOG_FORMAT=json \
  node "$ROOT/dist/backend/main.js" > "$WORK/backend.log" 2>&1 &
echo $! > "$WORK/backend.pid"
for _ in $(seq 600); do grep -q 'ChatOps is running' "$WORK/backend.log" && break; kill -0 "$(cat "$WORK/backend.pid")" 2>/dev/null || break; sleep 0.1; done
grep -q 'ChatOps is running' "$WORK/backend.log" || fail "the backend did not start"
log "backend on $BASE (embedded PostgreSQL)"

json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(eval(process.argv[1]))})' "$1"; }
TOKEN="$(curl -sf -H 'content-type: application/json' -d '{"email":"smoke@example.test","username":"smoke","password":"password1234"}' "$BASE/api/v1/auth/register" | json v.accessToken)"
api() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$@"; }
SERVER_ID="$(api -d '{"name":"sidecar-smoke"}' "$BASE/api/v1/servers" | json v.id)"
mkdir -p "$WORK/secrets"
api -d "{\"serverId\":\"$SERVER_ID\"}" "$BASE/api/v1/api-keys" | json v.key > "$WORK/secrets/agent-api-key"
# As docs/agent.md says: mode 0600, and owned by the image's unprivileged user (uid 1000).
chmod 600 "$WORK/secrets/agent-api-key"
chown 1000:1000 "$WORK/secrets/agent-api-key"

log "running $AGENT_IMAGE as docker-compose.yml's agent service (pid host, / and /proc read-only, socket, key file)"
# Differences from compose, all for this machine: host network (the backend listens on 127.0.0.1 and
# podman here has no bridge network), a 1 s interval (the default is 5 s) to finish sooner.
podman run -d -q --name chatops-agent-smoke \
  --network host --pid host --hostname chatops-smoke-host \
  --group-add "$SOCK_GID" \
  -e CHATOPS_URL="$BASE" \
  -e CHATOPS_API_KEY_FILE=/run/secrets/chatops_agent_key \
  -e CHATOPS_HOST_ROOT=/host \
  -e DOCKER_HOST=unix:///var/run/docker.sock \
  -e CHATOPS_INTERVAL=1 \
  -v "$WORK/secrets/agent-api-key:/run/secrets/chatops_agent_key:ro" \
  -v /:/host:ro,rslave \
  -v /proc:/host/proc:ro \
  -v "$SOCK:/var/run/docker.sock:ro" \
  -v chatops-agent-state:/var/lib/chatops-agent \
  "$AGENT_IMAGE" >/dev/null

# ---- checks: what the backend received ---------------------------------------------------------
HOST_FACTS="$(node -e '
const fs = require("fs");
const mem = Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync("/proc/meminfo", "utf8"))[1]) * 1024;
const cores = fs.readFileSync("/proc/stat", "utf8").split("\n").filter((l) => /^cpu\d/.test(l)).length;
const ifaces = fs.readFileSync("/proc/1/net/dev", "utf8").split("\n").slice(2).map((l) => l.split(":")[0].trim()).filter((n) => n && n !== "lo").sort();
const os = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(fs.readFileSync("/etc/os-release", "utf8"))[1];
const st = fs.statfsSync("/");
const hostname = fs.readFileSync("/etc/hostname", "utf8").trim();
console.log(JSON.stringify({ mem, cores, ifaces, os, hostname, rootTotal: st.blocks * st.bsize }));
')"
node - "$BASE" "$TOKEN" "$SERVER_ID" "$HOST_FACTS" <<'EOF' || fail "the sidecar's samples do not show what was expected"
const [base, token, serverId, factsJson] = process.argv.slice(2);
const facts = JSON.parse(factsJson);
const get = (p) => fetch(`${base}/api/v1${p}`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => (r.ok ? r.json() : null));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const check = (ok, what, got) => { if (!ok) { console.error(`  ✗ ${what} (got ${JSON.stringify(got)})`); process.exitCode = 1; } else console.log(`  ✓ ${what}`); };
(async () => {
  const deadline = Date.now() + 60_000;
  let server, latest;
  for (;;) {
    server = await get(`/servers/${serverId}`).catch(() => null);
    latest = await get(`/metrics/${serverId}`).catch(() => null);
    const self = latest?.sample?.containers?.find((c) => c.name === 'chatops-agent-smoke');
    if (server?.status === 'online' && server.agent && typeof self?.cpuPercent === 'number') break;
    if (Date.now() > deadline) { console.error(`  ✗ no sample with the containers' CPU within 60 s (server: ${JSON.stringify(server)}, latest: ${JSON.stringify(latest)?.slice(0, 2000)})`); process.exit(1); }
    await sleep(500);
  }
  const s = latest.sample;
  check(server.agent.capabilities.docker === true, 'hello: capabilities.docker true (the socket, read through the group)', server.agent.capabilities);
  check(server.agent.os === facts.os, `hello: the host's OS from /host/etc/os-release (${facts.os})`, server.agent.os);
  // The host's /etc/hostname (through /host) wins over the container's hostname set by compose.
  check(server.agent.hostname === facts.hostname, `hello: the host's hostname from /host/etc/hostname (${facts.hostname})`, server.agent.hostname);
  check(s.cpu.cores === facts.cores, `cpu: the host's ${facts.cores} cores`, s.cpu.cores);
  check(s.memory.totalBytes === facts.mem, `memory: the host's MemTotal (${facts.mem} bytes)`, s.memory.totalBytes);
  const root = s.disks.find((d) => d.mount === '/');
  check(!!root && root.totalBytes === facts.rootTotal, `disks: the host's / (${facts.rootTotal} bytes, statfs through /host)`, s.disks);
  check(JSON.stringify(s.network.map((n) => n.iface).sort()) === JSON.stringify(facts.ifaces), `network: the host's interfaces (${facts.ifaces.join(', ')}) from /host/proc/1/net/dev`, s.network.map((n) => n.iface));
  const byName = new Map(s.containers.map((c) => [c.name, c]));
  const self = byName.get('chatops-agent-smoke');
  const sleeper = byName.get('chatops-smoke-sleeper');
  check(self?.state === 'running' && self.memBytes > 0 && self.cpuPercent >= 0 && self.cpuPercent < 100, 'containers: the sidecar itself, running, with CPU% and memory', self);
  check(sleeper?.state === 'running' && sleeper.cpuPercent < 5, 'containers: the sleeping busybox container', sleeper);
  console.log(`  sidecar: ${self?.cpuPercent} % CPU, ${(self?.memBytes / 1048576).toFixed(1)} MiB`);
})().catch((err) => { console.error(err); process.exit(1); });
EOF
log "samples checked"

# The socket is readable through its group only: without group_add the agent still runs, Docker off.
once() { podman run --rm --network host --pid host -v /:/host:ro,rslave -v /proc:/host/proc:ro -v "$SOCK:/var/run/docker.sock:ro" "$@" "$AGENT_IMAGE" --once; }
out="$(once --group-add "$SOCK_GID" 2>&1)" || fail "--once with the socket's group: $out"
grep -Eq '^containers [0-9]+$' <<< "$out" || fail "--once with the socket's group did not list containers: $out"
out="$(once 2>&1)" || fail "--once without the socket's group: $out"
grep -q '^containers Docker not reachable' <<< "$out" || fail "--once without the socket's group: expected 'Docker not reachable': $out"
log "--once: containers listed with group_add, 'Docker not reachable' without it"

podman stop -t 10 chatops-agent-smoke >/dev/null
EXIT_CODE="$(podman inspect --format '{{.State.ExitCode}}' chatops-agent-smoke)"
[ "$EXIT_CODE" = "0" ] || fail "the agent exited with $EXIT_CODE on SIGTERM (expected 0)"
log "stopped with SIGTERM: exit code 0"

# ---- 4. size -----------------------------------------------------------------------------------
size_of() { podman image inspect --format '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
IMG="$(size_of "$AGENT_IMAGE")"; BASE_IMG="$(size_of "$STANDIN_IMAGE")"
log "image size: $(mb "$IMG") ($AGENT_IMAGE), of which the stand-in base $(mb "$BASE_IMG"), added by agent/Dockerfile $(mb $((IMG - BASE_IMG)))"
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$AGENT_IMAGE" | head -n 12 | cut -c1-140
log "OK in $((SECONDS - T0)) s"
