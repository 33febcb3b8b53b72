#!/usr/bin/env bash
# Installs the workflow linters CI runs over .github/workflows and action.yml, pinned:
# actionlint (Go module proxy) and zizmor (PyPI), into .tools/linters/. Re-running is cheap once the pinned
# set is present.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION="v1.7.12"
ZIZMOR_VERSION="1.32.0"
dir=".tools/linters"
stamp="$dir/installed-${ACTIONLINT_VERSION}-${ZIZMOR_VERSION}"

if [ -f "$stamp" ] && [ -x "$dir/bin/actionlint" ] && [ -x "$dir/venv/bin/zizmor" ]; then
  exit 0
fi
command -v go >/dev/null || { echo "install-linters: Go is required to install actionlint" >&2; exit 1; }
python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "install-linters: python3 is required to install zizmor" >&2; exit 1; }

echo "Installing workflow linters into $dir (actionlint $ACTIONLINT_VERSION, zizmor $ZIZMOR_VERSION)..."
rm -rf "$dir"
mkdir -p "$dir/bin"
GOBIN="$PWD/$dir/bin" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
"$python" -m venv "$dir/venv"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check "zizmor==$ZIZMOR_VERSION"
touch "$stamp"
