#!/usr/bin/env bash
# Installs act (runs GitHub workflows locally), pinned, from the Go module proxy into .tools/act/, for the test
# that runs this repository's own workflow through it. Without Go it says so and installs nothing (that test
# then reports itself skipped, with this reason).
set -euo pipefail
cd "$(dirname "$0")/.."

ACT_VERSION="v0.2.89"
dir=".tools/act"
stamp="$dir/installed-$ACT_VERSION"
if [ -f "$stamp" ] && [ -x "$dir/bin/act" ]; then
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "install-act: Go is not installed, so act is not either; the workflow test will be skipped" >&2
  exit 0
fi
echo "Installing act $ACT_VERSION into $dir..."
rm -rf "$dir"
mkdir -p "$dir/bin"
GOBIN="$PWD/$dir/bin" GOFLAGS=-mod=mod go install "github.com/nektos/act@$ACT_VERSION"
touch "$stamp"
