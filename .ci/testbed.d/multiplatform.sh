#!/usr/bin/env bash
# Test-bed additions for the multi-platform release tests (run by .ci/testbed.sh once the bed is
# up; safe to run again by hand):
#   - a two-platform base image, 127.0.0.1:5001/testbed/busybox-multi:1: an OCI index with
#     linux/amd64 and linux/arm64 manifests, each holding Debian's busybox-static for that
#     architecture (from .deb files apt downloads on this machine). COPY only, FROM scratch: no RUN,
#     so no emulation is needed to build the arm64 half.
# Describes what it made in $TB/env.d/multiplatform.json (bed.extra.multiplatform in the tests).
set -euo pipefail

ENV_FILE=${ML_DOCKER_TESTBED_ENV:-${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}/env.json}
[[ -f $ENV_FILE ]] || {
  echo "multiplatform.sh: $ENV_FILE is missing: bring the test bed up first" >&2
  exit 1
}
TB=$(dirname "$ENV_FILE")
BASE_REGISTRY=$(jq -r .baseRegistry "$ENV_FILE")
BUILDER=$(jq -r .builder "$ENV_FILE")
IMAGE=$BASE_REGISTRY/testbed/busybox-multi:1
ARCHES=(amd64 arm64)

log() { printf '[testbed.d/multiplatform %s] %s\n' "$(date +%T)" "$*" >&2; }

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  log "dpkg --add-architecture arm64"
  dpkg --add-architecture arm64
fi
if ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then
  log "apt-get update (arm64 package lists)"
  apt-get update -qq >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for arch in "${ARCHES[@]}"; do
  mkdir -p "$work/debs/$arch" "$work/ctx/$arch"
  (cd "$work/debs/$arch" && apt-get download -qq "busybox-static:$arch" >/dev/null 2>&1) || {
    log "apt-get download busybox-static:$arch failed"
    exit 1
  }
  dpkg-deb -x "$work/debs/$arch"/busybox-static_*.deb "$work/x-$arch"
  cp "$work/x-$arch/bin/busybox" "$work/ctx/$arch/busybox"
done

# Only a few applets are linked: enough for `sh -c`, wget, httpd, sleep and test in the tests.
cat >"$work/ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
ARG TARGETARCH
COPY ${TARGETARCH}/busybox /bin/busybox
COPY links/ /
ENV PATH=/bin
CMD ["/bin/sh"]
DOCKERFILE
mkdir -p "$work/ctx/links/bin" "$work/ctx/links/tmp"
chmod 1777 "$work/ctx/links/tmp"
for applet in sh ls cat echo sleep wget httpd test true false grep uname id; do
  ln -s busybox "$work/ctx/links/bin/$applet"
done

key=$(tar -C "$work/ctx" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . | sha256sum | cut -c1-64)
marker=$TB/env.d/.multiplatform.key
mkdir -p "$TB/env.d"
accept='application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json'
if [[ -f $marker && $(cat "$marker") == "$key" ]] &&
  curl -sf -o /dev/null -H "Accept: $accept" "http://$BASE_REGISTRY/v2/testbed/busybox-multi/manifests/1"; then
  log "$IMAGE is up to date"
else
  log "building $IMAGE (linux/amd64, linux/arm64)"
  docker buildx build --builder "$BUILDER" --progress quiet --provenance=false --sbom=false \
    --platform linux/amd64,linux/arm64 \
    --output "type=image,name=$IMAGE,push=true,oci-mediatypes=true" "$work/ctx" >/dev/null
  echo "$key" >"$marker"
fi

index=$(curl -sf -H "Accept: $accept" "http://$BASE_REGISTRY/v2/testbed/busybox-multi/manifests/1")
digest=sha256:$(printf '%s' "$index" | sha256sum | cut -c1-64)
platforms=$(printf '%s' "$index" | jq -c '[.manifests[] | select(.platform.os == "linux") |
  {key: "\(.platform.os)/\(.platform.architecture)", value: .digest}] | from_entries')
for arch in "${ARCHES[@]}"; do
  [[ $(jq -r --arg p "linux/$arch" '.[$p] // ""' <<<"$platforms") == sha256:* ]] || {
    log "$IMAGE has no linux/$arch manifest"
    exit 1
  }
done
jq -n --arg image "$IMAGE" --arg digest "$digest" --argjson platforms "$platforms" \
  '{image: $image, digest: $digest, platforms: $platforms}' >"$TB/env.d/multiplatform.json.tmp"
mv "$TB/env.d/multiplatform.json.tmp" "$TB/env.d/multiplatform.json"
log "$IMAGE: $digest ($(jq -r 'keys | join(", ")' <<<"$platforms"))"
