#!/usr/bin/env bash
# Offline integration test bed for ml-docker-action.
#
# Provisions and (re)starts everything the integration tests talk to, using
# nothing but the Debian archive and the Go module proxy (no image is ever
# pulled from a public registry):
#   - Docker Engine 29 (dockerd, containerd 2, runc, all built from the Go module proxy), twice:
#     the containerd image store on the default socket (what fresh installs use) and the classic
#     store on its own socket and bridge
#   - an htpasswd-protected registry on 127.0.0.1:5000, empty on every start
#   - an anonymous registry on 127.0.0.1:5001 holding the base images
#   - a rootful buildkitd plus a buildx "remote" builder pointing at it
#   - base images built from debootstrap / busybox-static
#   - trivy and two offline vulnerability DBs (clean and vulnerable)
# and describes the result in $TB/env.json for the tests.
#
# Usage:
#   .ci/testbed.sh [up]                      provision + start (idempotent)
#   .ci/testbed.sh status                    show what is running
#   .ci/testbed.sh stop                      stop what this script started
#   .ci/testbed.sh buildkitd-fresh ROOT SOCK start an extra buildkitd on state dir ROOT
#                                            (a cold builder); prints its pid
#   .ci/testbed.sh buildkitd-stop ROOT       stop the extra buildkitd on ROOT
set -euo pipefail

TB=${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}
RUN_DIR=/run/ml-docker-testbed
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

BUILDX_VERSION=0.36.1
BUILDKIT_VERSION=0.32.2
TRIVY_VERSION=0.74.0
# Docker Engine 29.8.0 is the moby/moby/v2 module's v2.0.0-beta.24 (its releases/versions.yaml).
DOCKER_VERSION=29.8.0 DOCKER_MODULE_VERSION=2.0.0-beta.24
CONTAINERD_VERSION=2.4.2
RUNC_VERSION=1.5.3
ACT_VERSION=0.2.89

REGISTRY_ADDR=127.0.0.1:5000
BASE_REGISTRY_ADDR=127.0.0.1:5001
# The token-auth registry (Bearer flow, like Docker Hub and GHCR) that testbed.d/registry-token.sh
# starts; BuildKit needs to know it speaks plain HTTP.
TOKEN_REGISTRY_ADDR=127.0.0.1:5002
REGISTRY_USER=ci
BUILDER_NAME=ml-docker-testbed
BUILDKITD_SOCK=unix://$RUN_DIR/buildkitd.sock
PYTHON_IMAGE=$BASE_REGISTRY_ADDR/testbed/python:3.11-bookworm
BUSYBOX_IMAGE=$BASE_REGISTRY_ADDR/testbed/busybox:1
SMOKE_IMAGE=ml-docker-testbed/smoke:latest
# What the docker-container buildx driver runs (moby/buildkit cannot be pulled here).
BUILDKIT_IMAGE=$BASE_REGISTRY_ADDR/testbed/buildkit:v$BUILDKIT_VERSION

APT_PACKAGES=(docker-registry busybox-static debootstrap skopeo apache2-utils jq
  uidmap iptables iproute2 ca-certificates curl libseccomp-dev pkg-config git python3-pip tini)

# The two engines: the containerd image store (Docker 29's default for fresh installs) on the
# default socket, the classic store on a socket and bridge of its own (one dockerd per bridge).
ENGINE_RUN=$RUN_DIR/engines
CLASSIC_SOCK=$RUN_DIR/docker-classic.sock
CLASSIC_BRIDGE=mldtb-classic
CLASSIC_BRIDGE_CIDR=10.213.0.1/24

PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
LOGS=$TB/logs

# Fictional advisories planted in the vulnerable DB. Each targets a Debian
# source package that has exactly one binary package in the python base image,
# so trivy reports each ID exactly once.
VULN_FIXED_ID=CVE-2099-0001 VULN_FIXED_SRC=expat VULN_FIXED_SEVERITY=CRITICAL
VULN_UNFIXED_ID=CVE-2099-0002 VULN_UNFIXED_SRC=sqlite3 VULN_UNFIXED_SEVERITY=HIGH

log() { printf '[testbed %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  printf '[testbed %s] ERROR: %s\n' "$(date +%T)" "$*" >&2
  exit 1
}

# show_log FILE: the last lines of a daemon log, for error messages.
show_log() {
  if [[ -f $1 ]]; then
    printf -- '----- last lines of %s -----\n' "$1" >&2
    tail -n 30 "$1" >&2
    printf -- '-----\n' >&2
  fi
}

# wait_until SECONDS DESCRIPTION LOGFILE CMD...: poll CMD until it succeeds.
wait_until() {
  local timeout=$1 what=$2 logfile=$3
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      show_log "$logfile"
      die "$what did not become ready within ${timeout}s"
    fi
    sleep 0.3
  done
}

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# pids_with_arg ARG EXE: pids of running EXE (binary basename) processes whose argv
# contains ARG verbatim. Finds our own daemons when a pidfile was lost (their
# config/socket/root paths are unique); clients such as buildctl never match.
pids_with_arg() {
  local f pid exe
  # One grep over every argv (NUL-separated, so -z -x matches whole arguments).
  { grep -lzxF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null || true; } | while read -r f; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
    [[ ${exe##*/} == "$2" ]] && echo "$pid"
  done
  return 0
}

# stop_daemon NAME [UNIQUE-ARG EXE]: stop a daemon started by this script.
stop_daemon() {
  local name=$1 unique=${2:-} exe=${3:-} pidfile=$RUN_DIR/$1.pid pids=() pid
  if [[ -f $pidfile ]]; then
    pid=$(cat "$pidfile")
    pid_alive "$pid" && pids+=("$pid")
  fi
  if [[ -n $unique ]]; then
    for pid in $(pids_with_arg "$unique" "$exe"); do
      [[ " ${pids[*]} " == *" $pid "* ]] || pids+=("$pid")
    done
  fi
  rm -f "$pidfile"
  ((${#pids[@]})) || return 0
  kill "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do
    while pid_alive "$pid"; do
      if ((SECONDS >= deadline)); then
        kill -9 "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
  done
  log "stopped $name (pid ${pids[*]})"
}

# start_daemon NAME LOGFILE CMD...: start CMD in its own session so it outlives
# this script; records the pid in $RUN_DIR/NAME.pid.
start_daemon() {
  local name=$1 logfile=$2
  shift 2
  : >"$logfile"
  # 9>&-: the daemon must not inherit (and so keep holding) the run lock.
  setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  echo $! >"$RUN_DIR/$name.pid"
}

http_code() { curl -s -o /dev/null -m 3 -w '%{http_code}' "$@" || true; }
answers() { [[ $(http_code "$1") == "$2" ]]; }
port_in_use() { (: </dev/tcp/"${1%:*}"/"${1#*:}") 2>/dev/null; }

debian_mirror() {
  # The machine's own Debian mirror, as configured for apt (never hard-coded).
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '{for (i = 2; i <= NF; i++) print $i}' | grep -v -- '-security' | head -n1 || true)
  if [[ -z $uri ]]; then
    uri=$(grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}' |
      grep -v -- '-security' | head -n1 || true)
  fi
  [[ -n $uri ]] || die "no Debian mirror found in /etc/apt/sources.list{,.d/}"
  echo "$uri"
}

# ---------------------------------------------------------------- apt packages

ensure_apt_packages() {
  local missing=() p
  # Only the docker CLI is used from a distribution: the engine is built here.
  command -v docker >/dev/null || APT_PACKAGES+=(docker.io)
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing apt packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOGS/apt-install.log" 2>&1 ||
      { show_log "$LOGS/apt-install.log"; die "apt-get install failed"; }
  fi
  # Debian's docker-registry package starts its own service on :5000 under systemd;
  # the test bed runs its registries itself.
  if [[ -d /run/systemd/system ]] && systemctl is-active --quiet docker-registry 2>/dev/null; then
    log "stopping and disabling the packaged docker-registry service (it holds port 5000)"
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
  command -v go >/dev/null || die "go is not on PATH (Go >= 1.26.3 is needed to build buildx, buildkit and trivy)"
}

# ------------------------------------------------------------------- Go tools

# go_build_module NAME VERSION MODULE LDFLAGS PKG...: build PKGs of MODULE@vVERSION
# into $TB/bin/NAME-VERSION/. Builds inside the downloaded module (rather than
# `go install MODULE/cmd@version`) so the module's own go.mod/go.sum are used and
# no version list is queried from the proxy (trivy's list endpoint is refused).
# MODULE may carry its own version (MODULE@vX) when it differs from the product's.
# GO_BUILD_TAGS adds build tags; GO_BUILD_COPY=1 builds in a writable copy with -mod=mod,
# for modules whose go.mod has replace directives (runc).
go_build_module() {
  local name=$1 version=$2 module=$3 ldflags=$4
  shift 4
  local dest=$TB/bin/$name-$version
  [[ -d $dest ]] && return 0
  local tmp=$TB/bin/.tmp-$name-$version dir
  [[ $module == *@* ]] || module=$module@v$version
  rm -rf "$tmp"
  mkdir -p "$tmp"
  dir=$(cd "$TB" && GOFLAGS='' go mod download -json "$module" | jq -r '.Dir // empty')
  [[ -n $dir ]] || die "go mod download $module failed"
  if [[ ${GO_BUILD_COPY:-} == 1 ]]; then
    local copy=$TB/src/$name-$version
    rm -rf "$copy"
    mkdir -p "$TB/src"
    cp -r "$dir" "$copy"
    chmod -R u+w "$copy"
    (cd "$copy" && GOFLAGS='-trimpath -mod=mod' go build -tags "${GO_BUILD_TAGS:-}" -ldflags "$ldflags" -o "$tmp/" "$@")
    rm -rf "$copy"
  else
    (cd "$dir" && GOBIN=$tmp GOFLAGS=-trimpath go install -tags "${GO_BUILD_TAGS:-}" -ldflags "$ldflags" "$@")
  fi
  mv "$tmp" "$dest"
}

start_go_builds() {
  GO_PIDS=()
  local spec name
  for spec in dockerd containerd runc buildkit buildx act trivy; do
    case $spec in
    dockerd) name=dockerd-$DOCKER_VERSION ;;
    containerd) name=containerd-$CONTAINERD_VERSION ;;
    runc) name=runc-$RUNC_VERSION ;;
    buildkit) name=buildkit-$BUILDKIT_VERSION ;;
    buildx) name=buildx-$BUILDX_VERSION ;;
    act) name=act-$ACT_VERSION ;;
    trivy) name=trivy-$TRIVY_VERSION ;;
    esac
    [[ -d $TB/bin/$name ]] && continue
    log "building $name from the Go module proxy (log: $LOGS/go-$spec.log)"
    (
      start=$SECONDS
      case $spec in
      dockerd)
        CGO_ENABLED=0 go_build_module dockerd "$DOCKER_VERSION" "github.com/moby/moby/v2@v$DOCKER_MODULE_VERSION" \
          "-s -w -X github.com/moby/moby/v2/dockerversion.Version=$DOCKER_VERSION -X github.com/moby/moby/v2/dockerversion.GitCommit=v$DOCKER_MODULE_VERSION" \
          ./cmd/dockerd ./cmd/docker-proxy
        ;;
      containerd)
        CGO_ENABLED=0 GO_BUILD_TAGS=no_btrfs go_build_module containerd "$CONTAINERD_VERSION" github.com/containerd/containerd/v2 \
          "-s -w -X github.com/containerd/containerd/v2/version.Version=v$CONTAINERD_VERSION" \
          ./cmd/containerd ./cmd/containerd-shim-runc-v2
        ;;
      runc)
        CGO_ENABLED=1 GO_BUILD_TAGS=seccomp GO_BUILD_COPY=1 go_build_module runc "$RUNC_VERSION" github.com/opencontainers/runc \
          "-s -w -X main.version=$RUNC_VERSION" .
        ;;
      act)
        CGO_ENABLED=0 go_build_module act "$ACT_VERSION" github.com/nektos/act "-s -w -X main.version=$ACT_VERSION" .
        ;;
      buildkit)
        CGO_ENABLED=0 go_build_module buildkit "$BUILDKIT_VERSION" github.com/moby/buildkit \
          "-s -w -X github.com/moby/buildkit/version.Version=v$BUILDKIT_VERSION" ./cmd/buildkitd ./cmd/buildctl
        ;;
      buildx)
        CGO_ENABLED=0 go_build_module buildx "$BUILDX_VERSION" github.com/docker/buildx \
          "-s -w -X github.com/docker/buildx/version.Version=v$BUILDX_VERSION -X github.com/docker/buildx/version.Package=github.com/docker/buildx" \
          ./cmd/buildx
        ;;
      trivy)
        CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go_build_module trivy "$TRIVY_VERSION" github.com/aquasecurity/trivy \
          "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=$TRIVY_VERSION" ./cmd/trivy
        ;;
      esac
      echo "build took $((SECONDS - start))s"
    ) >"$LOGS/go-$spec.log" 2>&1 &
    GO_PIDS+=("$spec:$!")
  done
}

wait_jobs_except_go_builds() {
  local pid
  for pid in $(jobs -p); do
    [[ " ${GO_PIDS[*]} " == *":$pid "* ]] || wait "$pid"
  done
}

# wait_go_build NAME: wait for a background build started by start_go_builds.
wait_go_build() {
  local entry
  for entry in "${GO_PIDS[@]}"; do
    [[ ${entry%%:*} == "$1" ]] || continue
    if ! wait "${entry#*:}"; then
      show_log "$LOGS/go-$1.log"
      die "building $1 failed"
    fi
    log "built $1 ($(tail -n1 "$LOGS/go-$1.log"))"
  done
}

link_tools() {
  mkdir -p "$PLUGIN_DIR"
  ln -sfn "buildkit-$BUILDKIT_VERSION/buildkitd" "$TB/bin/buildkitd"
  ln -sfn "buildkit-$BUILDKIT_VERSION/buildctl" "$TB/bin/buildctl"
  ln -sfn "buildx-$BUILDX_VERSION/buildx" "$TB/bin/docker-buildx"
  ln -sfn "$TB/bin/buildctl" /usr/local/bin/buildctl
  ln -sfn "$TB/bin/buildkitd" /usr/local/bin/buildkitd
  ln -sfn "act-$ACT_VERSION/act" "$TB/bin/act"
  # A copy, not a link: the action runs docker with a temporary DOCKER_CONFIG, so
  # only a system-wide plugin is found, and it must not depend on $HOME.
  if ! cmp -s "$TB/bin/buildx-$BUILDX_VERSION/buildx" "$PLUGIN_DIR/docker-buildx"; then
    install -m 0755 "$TB/bin/buildx-$BUILDX_VERSION/buildx" "$PLUGIN_DIR/docker-buildx"
  fi
}

link_trivy() {
  ln -sfn "trivy-$TRIVY_VERSION/trivy" "$TB/bin/trivy"
  ln -sfn "$TB/bin/trivy" /usr/local/bin/trivy
}

# --------------------------------------------------------------------- dockerd

# The engine's binaries, found by dockerd (and by buildkitd for runc) on PATH.
ENGINE_BIN=$TB/engine-bin

link_engine() {
  mkdir -p "$ENGINE_BIN"
  local b
  for b in dockerd docker-proxy; do ln -sfn "../bin/dockerd-$DOCKER_VERSION/$b" "$ENGINE_BIN/$b"; done
  for b in containerd containerd-shim-runc-v2; do ln -sfn "../bin/containerd-$CONTAINERD_VERSION/$b" "$ENGINE_BIN/$b"; done
  ln -sfn "../bin/runc-$RUNC_VERSION/runc" "$ENGINE_BIN/runc"
  # `docker run --init` and buildx's docker-container builders (started with --init) need the
  # engine's docker-init: tini, static as the engine packages ship it.
  ln -sfn "$(command -v tini-static)" "$ENGINE_BIN/docker-init"
  "$ENGINE_BIN/runc" --version | grep "runc version $RUNC_VERSION" >/dev/null || die "runc $RUNC_VERSION does not run"
}

engine_version() { DOCKER_HOST=$1 docker version -f '{{.Server.Version}}' 2>/dev/null; }
engine_store() { DOCKER_HOST=$1 docker info -f '{{.Driver}}' 2>/dev/null; }

# start_engine NAME SOCKET STORE(containerd|classic) EXTRA-ARGS...: (re)use or start a Docker 29.
start_engine() {
  local name=$1 sock=$2 store=$3
  shift 3
  local host=unix://$sock want_driver=overlayfs snapshotter=true
  if [[ $store == classic ]]; then want_driver=overlay2 snapshotter=false; fi
  if [[ $(engine_version "$host") == "$DOCKER_VERSION" && $(engine_store "$host") == "$want_driver" ]]; then
    return 0
  fi
  # Whatever answers there now (an older engine, a half-started one) is not ours to keep.
  stop_daemon "$name" "$ENGINE_RUN/$name" dockerd
  if [[ -S $sock ]] && DOCKER_HOST=$host docker info >/dev/null 2>&1; then
    die "a Docker engine this script did not start answers on $sock ($(engine_version "$host")); stop it first"
  fi
  rm -f "$sock"
  mkdir -p "$TB/engine/$name" "$ENGINE_RUN/$name"
  log "starting Docker $DOCKER_VERSION with the $store image store on $sock (log: $LOGS/dockerd-$name.log)"
  start_daemon "$name" "$LOGS/dockerd-$name.log" env PATH="$ENGINE_BIN:$PATH" "$ENGINE_BIN/dockerd" \
    --host "$host" --data-root "$TB/engine/$name" --exec-root "$ENGINE_RUN/$name" \
    --pidfile "$ENGINE_RUN/$name/dockerd.pid" --feature "containerd-snapshotter=$snapshotter" "$@"
  wait_until 90 "Docker $DOCKER_VERSION ($store store)" "$LOGS/dockerd-$name.log" env DOCKER_HOST="$host" docker info
  [[ $(engine_store "$host") == "$want_driver" ]] ||
    die "the $name engine reports storage driver $(engine_store "$host"), expected $want_driver"
}

start_engines() {
  # A Debian dockerd started by an older version of this script holds the default socket.
  stop_daemon dockerd
  start_engine engine-containerd /var/run/docker.sock containerd
  if ! ip link show "$CLASSIC_BRIDGE" >/dev/null 2>&1; then
    ip link add name "$CLASSIC_BRIDGE" type bridge
    ip addr add "$CLASSIC_BRIDGE_CIDR" dev "$CLASSIC_BRIDGE"
  fi
  ip link set "$CLASSIC_BRIDGE" up
  # iptables belong to the default engine; this one publishes ports through docker-proxy.
  start_engine engine-classic "$CLASSIC_SOCK" classic \
    --bridge "$CLASSIC_BRIDGE" --iptables=false --ip6tables=false
  # The default engine's FORWARD policy (DROP) also applies to this engine's bridges, which it
  # does not manage: let containers on one network of this engine reach each other (sidecars).
  local rule
  for rule in "-i $CLASSIC_BRIDGE -o $CLASSIC_BRIDGE" "-i br-+ -o br-+"; do
    # shellcheck disable=SC2086
    iptables -C FORWARD $rule -m comment --comment ml-docker-testbed -j ACCEPT 2>/dev/null ||
      iptables -I FORWARD 1 $rule -m comment --comment ml-docker-testbed -j ACCEPT
  done
}

# ------------------------------------------------------------------ registries

write_registry_config() {
  local file=$1 addr=$2 storage=$3 htpasswd=${4:-}
  {
    echo "version: 0.1"
    echo "log:"
    echo "  level: info"
    echo "  accesslog:"
    echo "    disabled: true"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $storage"
    echo "  delete:"
    echo "    enabled: true"
    echo "http:"
    echo "  addr: $addr"
    echo "  secret: $(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    if [[ -n $htpasswd ]]; then
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: ml-docker-testbed"
      echo "    path: $htpasswd"
    fi
  } >"$file"
}

start_registries() {
  local cfgdir=$TB/registry
  mkdir -p "$cfgdir"
  stop_daemon registry-auth "$cfgdir/auth.yml" docker-registry
  stop_daemon registry-base "$cfgdir/base.yml" docker-registry
  local addr
  for addr in "$REGISTRY_ADDR" "$BASE_REGISTRY_ADDR"; do
    port_in_use "$addr" && die "$addr is already in use by a process this script did not start"
  done

  # Auth registry: new password and empty storage on every start.
  REGISTRY_PASSWORD=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  rm -rf "$TB/registry-auth-data"
  mkdir -p "$TB/registry-auth-data" "$TB/registry-base-data"
  (umask 077 && htpasswd -Bbn "$REGISTRY_USER" "$REGISTRY_PASSWORD" >"$cfgdir/htpasswd")
  (umask 077 && write_registry_config "$cfgdir/auth.yml" "$REGISTRY_ADDR" "$TB/registry-auth-data" "$cfgdir/htpasswd")
  (umask 077 && write_registry_config "$cfgdir/base.yml" "$BASE_REGISTRY_ADDR" "$TB/registry-base-data")

  start_daemon registry-auth "$LOGS/registry-auth.log" /usr/bin/docker-registry serve "$cfgdir/auth.yml"
  start_daemon registry-base "$LOGS/registry-base.log" /usr/bin/docker-registry serve "$cfgdir/base.yml"
  wait_until 20 "registry on $REGISTRY_ADDR" "$LOGS/registry-auth.log" answers "http://$REGISTRY_ADDR/v2/" 401
  wait_until 20 "registry on $BASE_REGISTRY_ADDR" "$LOGS/registry-base.log" answers "http://$BASE_REGISTRY_ADDR/v2/" 200
  [[ $(http_code -u "$REGISTRY_USER:$REGISTRY_PASSWORD" "http://$REGISTRY_ADDR/v2/") == 200 ]] ||
    die "the auth registry rejects the fresh credentials"
}

# ------------------------------------------------------------------- buildkitd

write_buildkitd_config() {
  # root and address come from flags, so the same file serves the fresh instances.
  cat >"$TB/buildkitd.toml" <<EOF
[worker.oci]
  enabled = true
  gc = true

[worker.containerd]
  enabled = false

[registry."$REGISTRY_ADDR"]
  http = true
  insecure = true

[registry."$BASE_REGISTRY_ADDR"]
  http = true
  insecure = true

[registry."$TOKEN_REGISTRY_ADDR"]
  http = true
  insecure = true
EOF
}

buildkitd_ready() { "$TB/bin/buildctl" --addr "$1" debug workers; }

# run_buildkitd NAME ROOT ADDR LOGFILE: start a buildkitd and wait until it serves.
run_buildkitd() {
  local name=$1 root=$2 addr=$3 logfile=$4
  local sockpath=${addr#unix://}
  mkdir -p "$root" "$(dirname "$sockpath")"
  rm -f "$sockpath"
  start_daemon "$name" "$logfile" env PATH="$ENGINE_BIN:$PATH" "$TB/bin/buildkitd" \
    --config "$TB/buildkitd.toml" --root "$root" --addr "$addr" \
    --oci-worker=true --containerd-worker=false --oci-worker-net=host
  wait_until 60 "buildkitd ($addr)" "$logfile" buildkitd_ready "$addr"
}

start_buildkitd() {
  write_buildkitd_config
  stop_daemon buildkitd "$BUILDKITD_SOCK" buildkitd
  run_buildkitd buildkitd "$TB/buildkit" "$BUILDKITD_SOCK" "$LOGS/buildkitd.log"
}

fresh_name() { printf 'buildkitd-fresh-%s' "$(printf '%s' "$1" | sha256sum | cut -c1-12)"; }

cmd_buildkitd_fresh() {
  [[ $# -eq 2 ]] || die "usage: $0 buildkitd-fresh ROOTDIR SOCKET"
  local root=$1 addr=$2 name
  [[ $addr == unix://* ]] || addr=unix://$addr
  [[ -x $TB/bin/buildkitd && -f $TB/buildkitd.toml ]] || die "run $0 first"
  mkdir -p "$RUN_DIR" "$LOGS"
  name=$(fresh_name "$root")
  run_buildkitd "$name" "$root" "$addr" "$LOGS/$name.log" >&2
  cat "$RUN_DIR/$name.pid"
}

cmd_buildkitd_stop() {
  [[ $# -eq 1 ]] || die "usage: $0 buildkitd-stop ROOTDIR"
  local name pid
  name=$(fresh_name "$1")
  pid=$(cat "$RUN_DIR/$name.pid" 2>/dev/null || true)
  # Only if that pid is still the buildkitd on ROOTDIR (pids get reused).
  if pid_alive "$pid" && { tr '\0' '\n' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -xF -- "$1" >/dev/null; then
    stop_daemon "$name"
  else
    rm -f "$RUN_DIR/$name.pid"
  fi
}

# -------------------------------------------------------------- buildx builder

ensure_builder() {
  local endpoint
  endpoint=$(docker buildx inspect "$BUILDER_NAME" 2>/dev/null | awk '/^Endpoint:/ {print $2; exit}' || true)
  if [[ $endpoint != "$BUILDKITD_SOCK" ]]; then
    if [[ -n $endpoint ]]; then docker buildx rm "$BUILDER_NAME" >/dev/null 2>&1 || true; fi
    docker buildx create --name "$BUILDER_NAME" --driver remote "$BUILDKITD_SOCK" >/dev/null
  fi
  docker buildx inspect --bootstrap "$BUILDER_NAME" >"$LOGS/buildx-inspect.log" 2>&1 ||
    { show_log "$LOGS/buildx-inspect.log"; die "buildx builder $BUILDER_NAME does not bootstrap"; }
}

smoke_build() {
  # Proves: FROM resolves from the base registry, RUN works, --load reaches dockerd.
  local ctx
  ctx=$(mktemp -d)
  printf 'FROM %s\nRUN echo testbed-ok >/ok\nCMD ["cat", "/ok"]\n' "$BUSYBOX_IMAGE" >"$ctx/Dockerfile"
  docker buildx build --builder "$BUILDER_NAME" --progress=plain --load -t "$SMOKE_IMAGE" "$ctx" \
    >"$LOGS/smoke-build.log" 2>&1 || { rm -rf "$ctx"; show_log "$LOGS/smoke-build.log"; die "smoke build with buildx failed"; }
  rm -rf "$ctx"
  [[ $(docker run --rm "$SMOKE_IMAGE") == testbed-ok ]] || die "the smoke image does not run"
}

# ----------------------------------------------------------------- base images

PYTHON_DEBOOTSTRAP_TAR=$TB/rootfs/python-3.11-bookworm.debootstrap.tar
PYTHON_TAR=$TB/rootfs/python-3.11-bookworm.tar
BUSYBOX_TAR=$TB/rootfs/busybox.tar
HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

build_python_debootstrap() {
  [[ -f $PYTHON_DEBOOTSTRAP_TAR ]] && return 0
  local mirror work=$TB/rootfs/python-work
  mirror=$(debian_mirror)
  local start=$SECONDS
  # The marker lets an interrupted run resume after a completed debootstrap.
  if [[ ! -f $work.ok ]]; then
    log "debootstrap bookworm (python3) from the apt mirror (log: $LOGS/debootstrap.log)"
    rm -rf "$work"
    mkdir -p "$work"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$work" "$mirror" >"$LOGS/debootstrap.log" 2>&1 ||
      { show_log "$LOGS/debootstrap.log"; die "debootstrap failed"; }
    touch "$work.ok"
  fi
  # Trim it like a slim image and drop host details debootstrap copies in.
  rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/* \
    "$work"/usr/share/man/* "$work"/usr/share/info/* "$work"/var/log/*.log
  find "$work/usr/share/doc" -type f ! -name copyright -delete
  : >"$work/etc/resolv.conf"
  : >"$work/etc/hostname"
  # Like the official python image, `python` exists on PATH.
  ln -sfn /usr/bin/python3 "$work/usr/local/bin/python"
  tar --numeric-owner -C "$work" -cf "$PYTHON_DEBOOTSTRAP_TAR.tmp" .
  mv "$PYTHON_DEBOOTSTRAP_TAR.tmp" "$PYTHON_DEBOOTSTRAP_TAR"
  rm -rf "$work" "$work.ok"
  log "debootstrap rootfs ready in $((SECONDS - start))s"
}

# extra_host_cas IMAGE_BUNDLE: PEM certificates the host trusts that the image
# bundle lacks (e.g. the CA of a TLS-intercepting egress proxy).
extra_host_cas() {
  [[ -f $HOST_CA_BUNDLE ]] || return 0
  awk '
    /-----BEGIN CERTIFICATE-----/ { pem = ""; inside = 1 }
    inside { pem = pem $0 "\n" }
    /-----END CERTIFICATE-----/ {
      inside = 0
      if (FILENAME == ARGV[1]) known[pem] = 1
      else if (!(pem in known) && !(pem in printed)) { printed[pem] = 1; printf "%s", pem }
    }' "$1" "$HOST_CA_BUNDLE"
}

# The image that is pushed = debootstrap rootfs + the host's extra CAs, so that
# RUN steps (pip) reach package indexes exactly as the host does. Rebuilt cheaply
# whenever the host's trust store changes; the debootstrap itself is kept.
build_python_rootfs() {
  build_python_debootstrap
  local work=$TB/rootfs/python-ca-work extras key
  extras=$(extra_host_cas <(tar -xOf "$PYTHON_DEBOOTSTRAP_TAR" ./etc/ssl/certs/ca-certificates.crt))
  key=$( (stat -c '%s %Y' "$PYTHON_DEBOOTSTRAP_TAR" && printf '%s' "$extras") | sha256sum | cut -c1-64)
  [[ -f $PYTHON_TAR && $(cat "$PYTHON_TAR.key" 2>/dev/null) == "$key" ]] && return 0
  if [[ -z $extras ]]; then
    cp "$PYTHON_DEBOOTSTRAP_TAR" "$PYTHON_TAR.tmp"
  else
    log "adding $(grep -c 'BEGIN CERTIFICATE' <<<"$extras") CA certificate(s) the host trusts to the python base image"
    rm -rf "$work"
    mkdir -p "$work"
    tar --numeric-owner -C "$work" -xf "$PYTHON_DEBOOTSTRAP_TAR"
    printf '%s' "$extras" | awk -v dir="$work/usr/local/share/ca-certificates" '
      /-----BEGIN CERTIFICATE-----/ { n++; file = sprintf("%s/host-extra-%d.crt", dir, n) }
      { print > file }'
    chroot "$work" update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates failed in the python rootfs"
    tar --numeric-owner -C "$work" -cf "$PYTHON_TAR.tmp" .
    rm -rf "$work"
  fi
  mv "$PYTHON_TAR.tmp" "$PYTHON_TAR"
  echo "$key" >"$PYTHON_TAR.key"
}

build_busybox_rootfs() {
  [[ -f $BUSYBOX_TAR ]] && return 0
  local work=$TB/rootfs/busybox-work applet
  rm -rf "$work"
  mkdir -p "$work/bin" "$work/etc" "$work/tmp" "$work/root"
  chmod 1777 "$work/tmp"
  cp /bin/busybox "$work/bin/busybox"
  # Same links as `busybox --install -s`, but pointing at the in-image path.
  for applet in $(/bin/busybox --list-full); do
    [[ $applet == bin/busybox ]] && continue
    mkdir -p "$work/$(dirname "$applet")"
    ln -sfn /bin/busybox "$work/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$work/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/etc/group"
  tar --numeric-owner -C "$work" -cf "$BUSYBOX_TAR.tmp" .
  mv "$BUSYBOX_TAR.tmp" "$BUSYBOX_TAR"
  rm -rf "$work"
}

# registry_digest REF: the manifest digest the registry serves for REF (empty if none).
registry_digest() {
  local ref=$1 repo tag
  repo=${ref#*/}
  tag=${repo##*:}
  repo=${repo%:*}
  curl -sfI -m 5 \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' \
    "http://${ref%%/*}/v2/$repo/manifests/$tag" 2>/dev/null |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}' || true
}

# publish_base_image REF TARBALL CHANGE...: import + push unless the (persistent)
# base registry already holds an image made from this very tarball.
publish_base_image() {
  local ref=$1 tarball=$2
  shift 2
  local marker sum digest
  marker=$TB/registry-base-data/.source-$(printf '%s' "$ref" | tr '/:' '__')
  sum=$( (sha256sum "$tarball" && printf '%s\n' "$@") | sha256sum | cut -c1-64)
  digest=$(registry_digest "$ref")
  if [[ -n $digest && -f $marker && $(cat "$marker") == "$sum" ]]; then
    # dockerd must hold the very image the registry serves (scans and smoke runs use it).
    if ! docker image inspect -f '{{join .RepoDigests " "}}' "$ref" 2>/dev/null | grep -qF "${ref%:*}@$digest"; then
      docker pull -q "$ref" >/dev/null
    fi
    return 0
  fi
  log "importing $ref"
  local changes=() c
  for c in "$@"; do changes+=(--change "$c"); done
  docker import "${changes[@]}" "$tarball" "$ref" >/dev/null
  docker push "$ref" >"$LOGS/push-base.log" 2>&1 || { show_log "$LOGS/push-base.log"; die "docker push $ref failed"; }
  echo "$sum" >"$marker"
}

publish_base_images() {
  publish_base_image "$PYTHON_IMAGE" "$PYTHON_TAR" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV LANG=C.UTF-8' \
    'CMD ["python3"]'
  publish_base_image "$BUSYBOX_IMAGE" "$BUSYBOX_TAR" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'CMD ["sh"]'
}

# publish_buildkit_image: a BuildKit image for the docker-container driver, made
# from the python base image plus the buildkitd/buildctl and runc built here;
# rebuilt only when one of those changes.
publish_buildkit_image() {
  local ctx sum marker digest
  ctx=$(mktemp -d)
  cp "$TB/bin/buildkit-$BUILDKIT_VERSION/buildkitd" "$TB/bin/buildkit-$BUILDKIT_VERSION/buildctl" \
    "$ENGINE_BIN/runc" "$ctx/"
  printf 'FROM %s\nCOPY buildkitd buildctl runc /usr/bin/\nRUN runc --version\nVOLUME /var/lib/buildkit\nENTRYPOINT ["buildkitd"]\n' \
    "$PYTHON_IMAGE" >"$ctx/Dockerfile"
  sum=$(cd "$ctx" && sha256sum buildkitd buildctl runc Dockerfile | sha256sum | cut -c1-64)
  marker=$TB/registry-base-data/.source-$(printf '%s' "$BUILDKIT_IMAGE" | tr '/:' '__')
  digest=$(registry_digest "$BUILDKIT_IMAGE")
  if [[ -n $digest && -f $marker && $(cat "$marker") == "$sum" ]]; then
    rm -rf "$ctx"
    return 0
  fi
  log "building $BUILDKIT_IMAGE"
  docker buildx build --builder "$BUILDER_NAME" --progress=plain --push -t "$BUILDKIT_IMAGE" "$ctx" \
    >"$LOGS/buildkit-image.log" 2>&1 ||
    { rm -rf "$ctx"; show_log "$LOGS/buildkit-image.log"; die "building $BUILDKIT_IMAGE failed"; }
  rm -rf "$ctx"
  echo "$sum" >"$marker"
}

# probe_privileged: buildx's docker-container driver (GitHub-hosted runners' default builder)
# runs BuildKit in a privileged container, on both engines; its end-to-end test runs in every CI run.
probe_privileged() {
  local host
  for host in unix:///var/run/docker.sock "unix://$CLASSIC_SOCK"; do
    DOCKER_HOST=$host docker run --rm --privileged "$BUSYBOX_IMAGE" true >"$LOGS/privileged-probe.log" 2>&1 || {
      show_log "$LOGS/privileged-probe.log"
      die "a privileged container does not start on $host (the docker-container builder needs one)"
    }
  done
}

# ------------------------------------------------------------------ trivy DBs

# src_package_info SRC: "<binary> <binary version> <source version>" of the one
# binary package built from Debian source SRC in the python rootfs.
src_package_info() {
  local admin lines
  admin=$(mktemp -d)
  tar -xOf "$PYTHON_TAR" ./var/lib/dpkg/status >"$admin/status"
  lines=$(dpkg-query --admindir="$admin" -W -f '${source:Package} ${Package} ${Version} ${source:Version}\n' 2>/dev/null |
    awk -v s="$1" '$1 == s {print $2, $3, $4}')
  rm -rf "$admin"
  [[ -n $lines ]] || die "source package $1 is not in the python base image; pick another in .ci/testbed.sh"
  [[ $(wc -l <<<"$lines") -eq 1 ]] || die "source package $1 has several binaries in the python base image: $lines"
  echo "$lines"
}

trivy_scan() {
  # trivy_scan CACHE_DIR IMAGE [EXTRA...]: offline JSON scan, vulnerability IDs on stdout.
  local cache=$1 image=$2
  shift 2
  "$TB/bin/trivy" image --cache-dir "$cache" --cache-backend memory --skip-db-update --skip-java-db-update \
    --skip-check-update --skip-version-check --disable-telemetry --no-progress --quiet \
    --image-src docker --scanners vuln --list-all-pkgs=false --format json "$@" "$image" |
    jq -r '[.Results[]?.Vulnerabilities[]? |
      "\(.VulnerabilityID)/\(.PkgName)/\(.InstalledVersion)/\(.FixedVersion // "")/\(.Severity)/\(.Status)"] |
      sort | join(" ")'
}

build_trivy_dbs() {
  local tool=$TB/bin/trivy-db
  (cd "$REPO_ROOT/.ci/trivy-db" && GOFLAGS="-mod=readonly -trimpath" CGO_ENABLED=0 go build -o "$tool.tmp" .) ||
    die "building .ci/trivy-db failed"
  mv "$tool.tmp" "$tool"

  read -r FIXED_PKG FIXED_INSTALLED FIXED_SRCVER <<<"$(src_package_info "$VULN_FIXED_SRC")"
  read -r UNFIXED_PKG UNFIXED_INSTALLED _ <<<"$(src_package_info "$VULN_UNFIXED_SRC")"
  # Any Debian version sorts below itself with a suffix appended.
  FIXED_VERSION=$FIXED_SRCVER+fix1

  mkdir -p "$TB/trivy/specs"
  jq -n '{advisories: [{platform: "debian 12", package: "ml-docker-testbed-no-such-package",
      id: "CVE-2099-0009", severity: "CRITICAL", fixedVersion: "1.0-1"}]}' >"$TB/trivy/specs/clean.json"
  jq -n --arg fsrc "$VULN_FIXED_SRC" --arg fid "$VULN_FIXED_ID" --arg fsev "$VULN_FIXED_SEVERITY" \
    --arg fver "$FIXED_VERSION" \
    --arg usrc "$VULN_UNFIXED_SRC" --arg uid "$VULN_UNFIXED_ID" --arg usev "$VULN_UNFIXED_SEVERITY" \
    '{advisories: [
      {platform: "debian 12", package: $fsrc, id: $fid, severity: $fsev, fixedVersion: $fver},
      {platform: "debian 12", package: $usrc, id: $uid, severity: $usev}]}' >"$TB/trivy/specs/vulnerable.json"

  local kind
  for kind in clean vulnerable; do
    "$tool" -spec "$TB/trivy/specs/$kind.json" -cache-dir "$TB/trivy/$kind"
  done
}

verify_trivy_dbs() {
  local image_id marker=$TB/trivy/verified want got
  image_id=$(docker image inspect -f '{{.Id}}' "$PYTHON_IMAGE")
  local key
  key=$(cat "$TB/trivy/specs/"*.json "$TB/bin/trivy-$TRIVY_VERSION/trivy" | sha256sum | cut -c1-64)-$image_id
  [[ -f $marker && $(cat "$marker") == "$key" ]] && return 0
  log "verifying the trivy DBs against $PYTHON_IMAGE"

  local fixed="$VULN_FIXED_ID/$FIXED_PKG/$FIXED_INSTALLED/$FIXED_VERSION/$VULN_FIXED_SEVERITY/fixed"
  local unfixed="$VULN_UNFIXED_ID/$UNFIXED_PKG/$UNFIXED_INSTALLED//$VULN_UNFIXED_SEVERITY/affected"
  want="$fixed $unfixed"
  got=$(trivy_scan "$TB/trivy/vulnerable" "$PYTHON_IMAGE") || die "trivy scan with the vulnerable DB failed"
  [[ $got == "$want" ]] || die "vulnerable DB: expected '$want', trivy found '$got'"
  got=$(trivy_scan "$TB/trivy/vulnerable" "$PYTHON_IMAGE" --ignore-unfixed) || die "trivy scan --ignore-unfixed failed"
  [[ $got == "$fixed" ]] || die "vulnerable DB with --ignore-unfixed: expected '$fixed', trivy found '$got'"
  got=$(trivy_scan "$TB/trivy/clean" "$PYTHON_IMAGE") || die "trivy scan with the clean DB failed"
  [[ -z $got ]] || die "clean DB: expected no findings, trivy found '$got'"
  echo "$key" >"$marker"
}

# -------------------------------------------------------------------- env file

write_env() {
  local env=$TB/env.json
  (
    umask 077
    jq -n \
      --arg registry "$REGISTRY_ADDR" --arg username "$REGISTRY_USER" --arg password "$REGISTRY_PASSWORD" \
      --arg baseRegistry "$BASE_REGISTRY_ADDR" --arg pythonImage "$PYTHON_IMAGE" --arg busyboxImage "$BUSYBOX_IMAGE" \
      --arg smokeImage "$SMOKE_IMAGE" --arg buildkitImage "$BUILDKIT_IMAGE" --argjson privileged true \
      --arg builder "$BUILDER_NAME" --arg sock "$BUILDKITD_SOCK" --arg bkconf "$TB/buildkitd.toml" \
      --arg buildkitd "$TB/bin/buildkitd" --arg buildctl "$TB/bin/buildctl" \
      --arg buildx "$PLUGIN_DIR/docker-buildx" --arg trivy "$TB/bin/trivy" --arg binDir "$TB/bin" \
      --arg clean "$TB/trivy/clean" --arg vulnerable "$TB/trivy/vulnerable" \
      --arg home "$TB" --arg logs "$LOGS" --arg script "$REPO_ROOT/.ci/testbed.sh" \
      --arg fid "$VULN_FIXED_ID" --arg fsev "$VULN_FIXED_SEVERITY" --arg fpkg "$FIXED_PKG" --arg fsrc "$VULN_FIXED_SRC" \
      --arg finst "$FIXED_INSTALLED" --arg fver "$FIXED_VERSION" \
      --arg uid "$VULN_UNFIXED_ID" --arg usev "$VULN_UNFIXED_SEVERITY" --arg upkg "$UNFIXED_PKG" --arg usrc "$VULN_UNFIXED_SRC" \
      --arg uinst "$UNFIXED_INSTALLED" \
      --arg vbuildx "$BUILDX_VERSION" --arg vbuildkit "$BUILDKIT_VERSION" --arg vtrivy "$TRIVY_VERSION" \
      --arg vdocker "$(docker version -f '{{.Server.Version}}' 2>/dev/null || echo unknown)" \
      --arg vcontainerd "$CONTAINERD_VERSION" --arg vrunc "$RUNC_VERSION" --arg vact "$ACT_VERSION" \
      --arg act "$TB/bin/act" --arg classicHost "unix://$CLASSIC_SOCK" \
      --arg vregistry "$(dpkg-query -W -f '${Version}' docker-registry)" \
      '{
        registry: $registry, username: $username, password: $password,
        baseRegistry: $baseRegistry, pythonImage: $pythonImage, busyboxImage: $busyboxImage,
        smokeImage: $smokeImage, buildkitImage: $buildkitImage, privilegedContainers: $privileged,
        builder: $builder, buildkitdSocket: $sock, buildkitdConfig: $bkconf,
        buildkitdBin: $buildkitd, buildctlBin: $buildctl, buildxPlugin: $buildx, trivyBin: $trivy,
        binDir: $binDir, dockerHost: "unix:///var/run/docker.sock", actBin: $act,
        engines: [
          {name: "containerd", store: "containerd", dockerHost: "unix:///var/run/docker.sock"},
          {name: "classic", store: "classic", dockerHost: $classicHost}
        ],
        trivyCacheClean: $clean, trivyCacheVulnerable: $vulnerable,
        trivyFlags: ["--skip-db-update", "--skip-java-db-update", "--skip-check-update",
                     "--skip-version-check", "--disable-telemetry"],
        expectedVulns: {
          image: $pythonImage, os: "debian 12",
          vulnerable: [
            {VulnerabilityID: $fid, Severity: $fsev, PkgName: $fpkg, SrcName: $fsrc,
             InstalledVersion: $finst, FixedVersion: $fver, Status: "fixed"},
            {VulnerabilityID: $uid, Severity: $usev, PkgName: $upkg, SrcName: $usrc,
             InstalledVersion: $uinst, FixedVersion: "", Status: "affected"}
          ],
          vulnerableIgnoreUnfixed: [$fid],
          clean: []
        },
        freshBuildkitd: [$script, "buildkitd-fresh"], stopBuildkitd: [$script, "buildkitd-stop"],
        home: $home, logs: $logs,
        versions: {buildx: $vbuildx, buildkit: $vbuildkit, trivy: $vtrivy, docker: $vdocker, registry: $vregistry,
                   containerd: $vcontainerd, runc: $vrunc, act: $vact}
      }' >"$env.tmp"
    mv "$env.tmp" "$env"
    cat >"$TB/env.sh" <<EOF
# source me: the test bed's tools on PATH and where its description lives
export PATH="$TB/bin:\$PATH"
export ML_DOCKER_TESTBED_ENV="$env"
EOF
  )
}

# ------------------------------------------------------------------ extensions

# Each .ci/testbed.d/<area>.sh adds what its tests need to the running bed and describes it in
# $TB/env.d/<area>.json (the tests see it as bed.extra.<area>).
run_extensions() {
  local f area
  mkdir -p "$TB/env.d"
  for f in "$REPO_ROOT"/.ci/testbed.d/*.sh; do
    [[ -f $f ]] || continue
    area=$(basename "$f" .sh)
    log "extension $area (log: $LOGS/ext-$area.log)"
    ML_DOCKER_TESTBED_ENV=$TB/env.json ML_DOCKER_TESTBED_HOME=$TB bash "$f" >"$LOGS/ext-$area.log" 2>&1 ||
      { show_log "$LOGS/ext-$area.log"; die ".ci/testbed.d/$area.sh failed"; }
  done
}

# --------------------------------------------------------------------- commands

cmd_up() {
  local t0=$SECONDS
  mkdir -p "$TB/bin" "$LOGS" "$TB/rootfs" "$RUN_DIR"
  # Background Go builds inherit the lock, so a re-run after a failure waits for them.
  exec 9>"$TB/.lock"
  if ! flock -n 9; then
    log "waiting for another testbed.sh (or its Go builds) to finish"
    flock -w 1800 9 || die "another testbed.sh is still running"
  fi

  ensure_apt_packages
  local f
  for f in "$RUN_DIR"/buildkitd-fresh-*.pid; do
    [[ -f $f ]] && ! pid_alive "$(cat "$f")" && rm -f "$f"
  done
  start_go_builds
  # Everything but dockerd is restarted; stopping in parallel saves their drain time.
  stop_daemon registry-auth "$TB/registry/auth.yml" docker-registry &
  stop_daemon registry-base "$TB/registry/base.yml" docker-registry &
  stop_daemon buildkitd "$BUILDKITD_SOCK" buildkitd &
  wait_jobs_except_go_builds
  wait_go_build dockerd
  wait_go_build containerd
  wait_go_build runc
  link_engine
  start_engines
  start_registries
  build_busybox_rootfs
  build_python_rootfs
  publish_base_images

  wait_go_build buildkit
  wait_go_build buildx
  link_tools
  start_buildkitd
  ensure_builder
  smoke_build
  publish_buildkit_image

  wait_go_build trivy
  link_trivy
  "$TB/bin/trivy" --version | grep "Version: $TRIVY_VERSION" >/dev/null || die "trivy --version does not say $TRIVY_VERSION"
  build_trivy_dbs
  verify_trivy_dbs

  wait_go_build act
  link_tools
  probe_privileged
  write_env
  run_extensions
  log "test bed up in $((SECONDS - t0))s"
  cmd_status
}

cmd_status() {
  local name pid state
  echo "test bed home: $TB"
  for name in engine-containerd engine-classic registry-auth registry-base buildkitd; do
    pid=$(cat "$RUN_DIR/$name.pid" 2>/dev/null || true)
    if pid_alive "$pid"; then state="running (pid $pid)"; else state="not started by this script"; fi
    [[ $name == engine-containerd ]] && docker info >/dev/null 2>&1 && state="up ($state)"
    [[ $name == engine-classic ]] && DOCKER_HOST=unix://$CLASSIC_SOCK docker info >/dev/null 2>&1 && state="up ($state)"
    printf '  %-14s %s\n' "$name" "$state"
  done
  local f
  for f in "$TB"/run/*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    if pid_alive "$pid"; then state="running (pid $pid)"; else state="not running"; fi
    printf '  %-14s %s\n' "$(basename "$f" .pid)" "$state"
  done
  printf '  %-14s %s\n' "$REGISTRY_ADDR" "HTTP $(http_code "http://$REGISTRY_ADDR/v2/") (401 = up, auth on)"
  printf '  %-14s %s\n' "$BASE_REGISTRY_ADDR" "HTTP $(http_code "http://$BASE_REGISTRY_ADDR/v2/") (200 = up)"
  if [[ -x $TB/bin/buildctl ]] && buildkitd_ready "$BUILDKITD_SOCK" >/dev/null 2>&1; then
    printf '  %-14s %s\n' buildkit "$BUILDKITD_SOCK ok, builder $BUILDER_NAME"
  else
    printf '  %-14s %s\n' buildkit "$BUILDKITD_SOCK not answering"
  fi
  for pid in "$RUN_DIR"/buildkitd-fresh-*.pid; do
    [[ -f $pid ]] || continue
    pid_alive "$(cat "$pid")" && printf '  %-14s %s\n' fresh "$(basename "$pid" .pid) pid $(cat "$pid")"
  done
  [[ -x $TB/bin/trivy ]] && printf '  %-14s %s\n' trivy "$("$TB/bin/trivy" --version | head -n1)"
  [[ -f $TB/env.json ]] && printf '  %-14s %s\n' env "$TB/env.json"
  return 0
}

cmd_stop() {
  local f
  for f in "$RUN_DIR"/buildkitd-fresh-*.pid; do
    [[ -f $f ]] && stop_daemon "$(basename "$f" .pid)"
  done
  stop_daemon buildkitd "$BUILDKITD_SOCK" buildkitd
  stop_daemon registry-auth "$TB/registry/auth.yml" docker-registry
  stop_daemon registry-base "$TB/registry/base.yml" docker-registry
  # Daemons of the testbed.d extensions (the token registry and its token endpoint) keep their
  # pid files in $TB/run.
  local pid
  for f in "$TB"/run/*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    if pid_alive "$pid"; then
      kill "$pid" 2>/dev/null || true
      log "stopped $(basename "$f" .pid) (pid $pid)"
    fi
    rm -f "$f"
  done
  # Only engines this script started; a system-managed one is left alone.
  stop_daemon dockerd
  stop_daemon engine-classic "$ENGINE_RUN/engine-classic" dockerd
  stop_daemon engine-containerd "$ENGINE_RUN/engine-containerd" dockerd
  rm -f "$TB/env.json"
}

case ${1:-up} in
up) cmd_up ;;
status) cmd_status ;;
stop) cmd_stop ;;
buildkitd-fresh)
  shift
  cmd_buildkitd_fresh "$@"
  ;;
buildkitd-stop)
  shift
  cmd_buildkitd_stop "$@"
  ;;
-h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
*) die "unknown command: $1 (up | status | stop | buildkitd-fresh ROOT SOCK | buildkitd-stop ROOT)" ;;
esac
