#!/usr/bin/env bash
# Installs the tools `npm run bench` measures beside ours, pinned, into .tools/bench: age and restic
# built from the Go module proxy, and the AWS CLI from PyPI. A peer that cannot be installed (no Go, no
# Python) is left out here and reported as missing by the benchmark, never silently dropped.
set -uo pipefail
cd "$(dirname "$0")/.."

AGE_VERSION="v1.3.2"
RESTIC_VERSION="v0.18.1"
AWSCLI_VERSION="1.44.14"
dir=".tools/bench"
mkdir -p "$dir/bin"
bin="$(cd "$dir/bin" && pwd)"

if [ ! -x "$bin/age" ] || ! grep -qx "$AGE_VERSION" "$dir/age.version" 2>/dev/null; then
  if command -v go >/dev/null; then
    GOBIN="$bin" go install "filippo.io/age/cmd/age@$AGE_VERSION" "filippo.io/age/cmd/age-keygen@$AGE_VERSION" && echo "$AGE_VERSION" >"$dir/age.version"
  else
    echo "install-bench-peers: Go is missing, so age is not installed" >&2
  fi
fi
if [ ! -x "$bin/restic" ] || ! grep -qx "$RESTIC_VERSION" "$dir/restic.version" 2>/dev/null; then
  if command -v go >/dev/null; then
    GOBIN="$bin" go install "github.com/restic/restic/cmd/restic@$RESTIC_VERSION" && echo "$RESTIC_VERSION" >"$dir/restic.version"
  else
    echo "install-bench-peers: Go is missing, so restic is not installed" >&2
  fi
fi
if [ ! -x "$dir/venv/bin/aws" ] || ! grep -qx "$AWSCLI_VERSION" "$dir/awscli.version" 2>/dev/null; then
  if command -v python3 >/dev/null; then
    python3 -m venv "$dir/venv" && "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION" && echo "$AWSCLI_VERSION" >"$dir/awscli.version"
  else
    echo "install-bench-peers: python3 is missing, so the AWS CLI is not installed" >&2
  fi
fi
exit 0
