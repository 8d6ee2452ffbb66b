#!/usr/bin/env bash
# Test-bed additions for the smoke stage's integration tests (run by .ci/testbed.sh once the bed
# is up; safe to run again by hand):
#   - a Redis sidecar image, 127.0.0.1:5001/testbed/redis:7: Debian's redis-tools (which holds
#     redis-server) installed from .deb files apt downloads on this machine into the bed's python
#     base image, with a HEALTHCHECK (redis-cli ping). No registry pull is involved.
# Describes what it made in $TB/env.d/smoke.json (bed.extra.smoke in the tests).
set -euo pipefail

ENV_FILE=${ML_DOCKER_TESTBED_ENV:-${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}/env.json}
[[ -f $ENV_FILE ]] || {
  echo "smoke.sh: $ENV_FILE is missing: bring the test bed up first" >&2
  exit 1
}
TB=$(dirname "$ENV_FILE")
PYTHON_IMAGE=$(jq -r .pythonImage "$ENV_FILE")
BASE_REGISTRY=$(jq -r .baseRegistry "$ENV_FILE")
BUILDER=$(jq -r .builder "$ENV_FILE")
REDIS_IMAGE=$BASE_REGISTRY/testbed/redis:7
# redis-server in Debian is a link to redis-check-rdb from redis-tools; these are the packages
# redis-tools needs beyond a minbase + python3 root file system.
PACKAGES=(redis-tools libjemalloc2 liblzf1 libatomic1 adduser)

log() { printf '[testbed.d/smoke %s] %s\n' "$(date +%T)" "$*" >&2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs"
(cd "$work/debs" && apt-get download -qq "${PACKAGES[@]}" >/dev/null 2>&1) || {
  log "apt-get download ${PACKAGES[*]} failed"
  exit 1
}
cat >"$work/Dockerfile" <<DOCKERFILE
FROM $PYTHON_IMAGE
COPY debs/ /tmp/debs/
RUN dpkg -i /tmp/debs/*.deb >/dev/null \\
 && rm -rf /tmp/debs \\
 && ln -sf redis-check-rdb /usr/bin/redis-server \\
 && mkdir -p /data && chown 65534:65534 /data
USER 65534:65534
WORKDIR /data
EXPOSE 6379
HEALTHCHECK --interval=5s --timeout=2s --start-period=10s --retries=3 \\
    CMD ["sh", "-c", "redis-cli -p 6379 ping | grep -qx PONG"]
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
DOCKERFILE

base_id=$(docker image inspect -f '{{.Id}}' "$PYTHON_IMAGE")
key=$( (cd "$work" && sha256sum Dockerfile debs/*.deb && echo "$base_id") | sha256sum | cut -c1-64)
marker=$TB/env.d/.smoke-redis.key
mkdir -p "$TB/env.d"
if [[ -f $marker && $(cat "$marker") == "$key" ]] && docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1 &&
  curl -sf -o /dev/null "http://$BASE_REGISTRY/v2/testbed/redis/manifests/7" \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'; then
  log "$REDIS_IMAGE is up to date"
else
  log "building $REDIS_IMAGE"
  docker buildx build --builder "$BUILDER" --progress quiet --provenance=false --sbom=false \
    --load -t "$REDIS_IMAGE" "$work" >/dev/null
  docker push -q "$REDIS_IMAGE" >/dev/null
  echo "$key" >"$marker"
fi
version=$(docker run --rm "$REDIS_IMAGE" redis-server --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p')
[[ -n $version ]] || {
  log "$REDIS_IMAGE does not run redis-server"
  exit 1
}
jq -n --arg image "$REDIS_IMAGE" --arg version "$version" \
  '{redisImage: $image, redisVersion: $version}' >"$TB/env.d/smoke.json.tmp"
mv "$TB/env.d/smoke.json.tmp" "$TB/env.d/smoke.json"
log "redis $version: $REDIS_IMAGE"
