#!/usr/bin/env bash
# Test-bed additions for the publish stage's integration tests (run by .ci/testbed.sh once the bed
# is up; safe to run again by hand):
#   - cosign v2.6.5 built from the Go module proxy (github.com/sigstore/cosign/v2) into
#     $TB/bin/cosign-2.6.5/cosign, as the other Go tools of the bed are built
#   - two small pure-Python wheels (six, idna) from PyPI in $TB/supply/wheels, which the tests
#     install into an image so its SBOM has Python packages to list
# Describes what it made in $TB/env.d/supply.json (bed.extra.supply in the tests).
set -euo pipefail

ENV_FILE=${ML_DOCKER_TESTBED_ENV:-${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}/env.json}
[[ -f $ENV_FILE ]] || {
  echo "supply.sh: $ENV_FILE is missing: bring the test bed up first" >&2
  exit 1
}
TB=$(jq -r .home "$ENV_FILE")
COSIGN_VERSION=2.6.5
COSIGN_MODULE=github.com/sigstore/cosign/v2@v$COSIGN_VERSION
COSIGN_DIR=${COSIGN_DIR:-$TB/bin/cosign-$COSIGN_VERSION}
WHEELS_DIR=$TB/supply/wheels
WHEELS=(six==1.17.0 idna==3.10)

log() { printf '[testbed.d/supply %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# cosign: built inside the downloaded module so its own go.mod/go.sum pin every dependency.
build_cosign() {
  [[ -x $COSIGN_DIR/cosign ]] && "$COSIGN_DIR/cosign" version 2>&1 | grep "GitVersion: *v$COSIGN_VERSION" >/dev/null && return 0
  command -v go >/dev/null || die "go is not on PATH (needed to build cosign)"
  log "building cosign $COSIGN_VERSION from the Go module proxy"
  local dir tmp start=$SECONDS
  dir=$(cd "$TB" && GOFLAGS='' go mod download -json "$COSIGN_MODULE" | jq -r '.Dir // empty')
  [[ -n $dir ]] || die "go mod download $COSIGN_MODULE failed"
  tmp=$COSIGN_DIR.tmp
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-trimpath go build \
    -ldflags "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=v$COSIGN_VERSION" \
    -o "$tmp/cosign" ./cmd/cosign) || die "building cosign failed"
  "$tmp/cosign" version 2>&1 | grep "GitVersion: *v$COSIGN_VERSION" >/dev/null || die "the cosign built does not report v$COSIGN_VERSION"
  rm -rf "$COSIGN_DIR"
  mv "$tmp" "$COSIGN_DIR"
  log "cosign $COSIGN_VERSION built in $((SECONDS - start))s"
}

fetch_wheels() {
  mkdir -p "$WHEELS_DIR"
  local spec name version missing=()
  for spec in "${WHEELS[@]}"; do
    name=${spec%%==*} version=${spec##*==}
    compgen -G "$WHEELS_DIR/$name-$version-*.whl" >/dev/null || missing+=("$spec")
  done
  ((${#missing[@]})) || return 0
  log "downloading ${missing[*]}"
  python3 -m pip download -q --no-deps --only-binary=:all: -d "$WHEELS_DIR" "${missing[@]}" ||
    die "pip download ${missing[*]} failed"
}

build_cosign
fetch_wheels

wheels_json=$(for spec in "${WHEELS[@]}"; do
  name=${spec%%==*} version=${spec##*==}
  file=$(compgen -G "$WHEELS_DIR/$name-$version-*.whl" | head -n1)
  jq -n --arg n "$name" --arg v "$version" --arg f "$file" '{name: $n, version: $v, file: $f}'
done | jq -s .)
mkdir -p "$TB/env.d"
jq -n --arg bin "$COSIGN_DIR/cosign" --arg v "$COSIGN_VERSION" --arg wd "$WHEELS_DIR" --argjson wheels "$wheels_json" \
  '{cosignBin: $bin, cosignVersion: $v, wheelsDir: $wd, wheels: $wheels}' >"$TB/env.d/supply.json.tmp"
mv "$TB/env.d/supply.json.tmp" "$TB/env.d/supply.json"
