#!/usr/bin/env bash
# Publishes the test bed's offline Trivy DBs as OCI artifacts with Trivy's media types, so the
# integration tests exercise the real download path (trivy-db-repository) instead of a
# pre-seeded cache. Idempotent: a repository already serving the same DB is left alone.
#
# Reads:  $ML_DOCKER_TESTBED_ENV (env.json of .ci/testbed.sh)
# Writes: 127.0.0.1:5001/testbed/trivy-db-{clean,vulnerable}:2 and $TB/env.d/scan.json
set -euo pipefail

ENV_JSON=${ML_DOCKER_TESTBED_ENV:-${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}/env.json}
[[ -f $ENV_JSON ]] || { echo "scan.sh: $ENV_JSON not found: bring the test bed up first" >&2; exit 1; }
TB=$(jq -r .home "$ENV_JSON")
REGISTRY=$(jq -r .baseRegistry "$ENV_JSON")
WORK=$TB/scan
mkdir -p "$WORK" "$TB/env.d"

# Trivy's DB artifact (pkg/oci/artifact.go): one layer of this media type titled db.tar.gz.
CONFIG_TYPE=application/vnd.aquasec.trivy.config.v1+json
LAYER_TYPE=application/vnd.aquasec.trivy.db.layer.v1.tar+gzip
MANIFEST_TYPE=application/vnd.oci.image.manifest.v1+json

sha() { sha256sum "$1" | cut -d' ' -f1; }

# push_blob REPO FILE: upload FILE (monolithic: POST for a session, PUT with the digest).
push_blob() {
  local repo=$1 file=$2 digest location
  digest=sha256:$(sha "$file")
  if curl -sfI -o /dev/null "http://$REGISTRY/v2/$repo/blobs/$digest"; then return 0; fi
  location=$(curl -sf -D - -o /dev/null -X POST "http://$REGISTRY/v2/$repo/blobs/uploads/" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "location" {print $2}')
  [[ -n $location ]] || { echo "scan.sh: no upload session for $repo" >&2; exit 1; }
  [[ $location == http* ]] || location=http://$REGISTRY$location
  [[ $location == *\?* ]] && location="$location&digest=$digest" || location="$location?digest=$digest"
  curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
    --data-binary "@$file" "$location" || { echo "scan.sh: uploading $file to $repo failed" >&2; exit 1; }
}

# publish KIND: db.tar.gz of $TB/trivy/KIND/db as REGISTRY/testbed/trivy-db-KIND:2.
publish() {
  local kind=$1 repo=testbed/trivy-db-$1 dir=$WORK/$1
  rm -rf "$dir"
  mkdir -p "$dir/db"
  cp "$TB/trivy/$kind/db/trivy.db" "$dir/db/"
  # As a published DB carries it: no DownloadedAt (Trivy sets that when it downloads).
  jq 'del(.DownloadedAt)' "$TB/trivy/$kind/db/metadata.json" >"$dir/db/metadata.json"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir/db" -cf - trivy.db metadata.json |
    gzip -n >"$dir/db.tar.gz"
  printf '{}' >"$dir/config.json"
  jq -n --arg ct "$CONFIG_TYPE" --arg lt "$LAYER_TYPE" --arg mt "$MANIFEST_TYPE" \
    --arg cd "sha256:$(sha "$dir/config.json")" --argjson cs "$(stat -c %s "$dir/config.json")" \
    --arg ld "sha256:$(sha "$dir/db.tar.gz")" --argjson ls "$(stat -c %s "$dir/db.tar.gz")" \
    '{schemaVersion: 2, mediaType: $mt, artifactType: $ct,
      config: {mediaType: $ct, digest: $cd, size: $cs},
      layers: [{mediaType: $lt, digest: $ld, size: $ls,
                annotations: {"org.opencontainers.image.title": "db.tar.gz"}}]}' -c >"$dir/manifest.json"
  local want have
  want=sha256:$(sha "$dir/manifest.json")
  have=$(curl -sfI -H "Accept: $MANIFEST_TYPE" "http://$REGISTRY/v2/$repo/manifests/2" 2>/dev/null |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}' || true)
  if [[ $have != "$want" ]]; then
    push_blob "$repo" "$dir/config.json"
    push_blob "$repo" "$dir/db.tar.gz"
    curl -sf -o /dev/null -X PUT -H "Content-Type: $MANIFEST_TYPE" --data-binary "@$dir/manifest.json" \
      "http://$REGISTRY/v2/$repo/manifests/2" || { echo "scan.sh: pushing the $repo manifest failed" >&2; exit 1; }
    echo "scan.sh: published $REGISTRY/$repo:2 ($want)" >&2
  fi
  printf '%s' "$want" >"$dir/digest"
}

publish clean
publish vulnerable

jq -n --arg reg "$REGISTRY" --arg cd "$(cat "$WORK/clean/digest")" --arg vd "$(cat "$WORK/vulnerable/digest")" \
  --arg vu "$(jq -r .UpdatedAt "$WORK/vulnerable/db/metadata.json")" \
  '{dbRepositoryClean: "\($reg)/testbed/trivy-db-clean:2", dbRepositoryVulnerable: "\($reg)/testbed/trivy-db-vulnerable:2",
    dbDigestClean: $cd, dbDigestVulnerable: $vd, dbUpdatedAtVulnerable: $vu,
    dbLayerMediaType: "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip"}' >"$TB/env.d/scan.json.tmp"
mv "$TB/env.d/scan.json.tmp" "$TB/env.d/scan.json"
