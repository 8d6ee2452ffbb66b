#!/usr/bin/env bash
# Runs the whole pipeline (lint, tag, build, smoke, scan, push) on examples/ml-service against a
# local registry, then shows where the image went.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/cli/index.js ] || npm run build

TB="${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}"
args=()
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  # Debian as root (CI machines, containers): the project's own test bed provides dockerd,
  # BuildKit, Trivy with an offline DB, a base image and an authenticated registry.
  bash .ci/testbed.sh
  registry=$(jq -r .registry "$TB/env.json")
  user=$(jq -r .username "$TB/env.json")
  password=$(jq -r .password "$TB/env.json")
  args+=(--builder "$(jq -r .builder "$TB/env.json")"
         --build-args "BASE_IMAGE=$(jq -r .pythonImage "$TB/env.json")"
         --trivy-cache-dir "$(jq -r .trivyCacheClean "$TB/env.json")" --scan-skip-db-update)
else
  # A workstation with Docker: a throwaway registry on localhost:5000 unless one already answers.
  registry=127.0.0.1:5000
  user="" password=""
  if ! curl -fsS "http://$registry/v2/" >/dev/null 2>&1; then
    docker run -d --rm --name ml-docker-demo-registry -p 127.0.0.1:5000:5000 registry:2 >/dev/null
    sleep 2
  fi
fi

image="$registry/demo/ml-service"
echo "== ml-docker run examples/ml-service -> $image"
if [ -n "$user" ]; then
  printf '%s' "$password" | node dist/cli/index.js run examples/ml-service --images "$image" \
    --registry "$registry" --username "$user" --password-stdin --push "${args[@]}"
else
  node dist/cli/index.js run examples/ml-service --images "$image" --registry "$registry" --push "${args[@]}"
fi

echo
echo "== where the image went"
creds=()
[ -n "$user" ] && creds=(--creds "$user:$password")
if command -v skopeo >/dev/null; then
  skopeo list-tags --tls-verify=false "${creds[@]}" "docker://$image"
else
  curl -fsS ${user:+-u "$user:$password"} "http://$registry/v2/demo/ml-service/tags/list"; echo
fi
echo "pull it with: docker pull $image:<tag>"
