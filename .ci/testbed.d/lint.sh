#!/usr/bin/env bash
# Test bed provisioning for the linter: the real hadolint (side-by-side comparison, benchmark)
# and ShellCheck (SC findings), through .ci/lint-tools.sh. Idempotent.
# Describes what it installed in $TB/env.d/lint.json (bed.extra.lint in the tests).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tb="${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}"
if [ -n "${ML_DOCKER_TESTBED_ENV:-}" ]; then tb="$(dirname "$ML_DOCKER_TESTBED_ENV")"; fi

hadolint="$(bash "$here/../lint-tools.sh" | tail -n 1)"
shellcheck="$(dirname "$hadolint")/shellcheck"

mkdir -p "$tb/env.d"
cat >"$tb/env.d/lint.json.tmp" <<JSON
{
  "hadolint": "$hadolint",
  "hadolintVersion": "$("$hadolint" --version | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1)",
  "shellcheck": "$shellcheck",
  "shellcheckVersion": "$("$shellcheck" --version | sed -n 's/^version: //p')"
}
JSON
mv "$tb/env.d/lint.json.tmp" "$tb/env.d/lint.json"
