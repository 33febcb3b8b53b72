#!/usr/bin/env bash
# Builds a pinned HashiCorp Vault server from the Go module proxy, for the tests that run every Vault-facing
# suite on HashiCorp Vault beside OpenBao. HashiCorp publishes binaries only on releases.hashicorp.com; the
# module proxy is what a machine with only package registries can reach.
#   bash scripts/build-vault.sh            -> prints the path of the built binary
# The binary is cached outside the clone, keyed by version (VAULT_BACKUP_CACHE, default
# ~/.cache/vault-backup-action), so a warm machine does not rebuild; a cold build takes about 15 minutes on
# 2 cores, about a minute with a warm Go build cache.
set -euo pipefail

VAULT_VERSION="v1.21.4"
# The versions vault's go.mod requires for its nested modules (a module zip never holds them).
VAULT_API="v1.22.0"
VAULT_SDK="v0.21.0"
# sdk v0.21.0 was tagged from main, not from release/1.21.x; keysutil's lock manager is taken from the
# first sdk tag that has the release branch's RestorePolicy signature.
VAULT_SDK_KEYSUTIL="v0.24.0"

cache="${VAULT_BACKUP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-backup-action}/vault-${VAULT_VERSION#v}"
if [ -x "$cache/vault" ] && "$cache/vault" version >/dev/null 2>&1; then
  echo "$cache/vault"
  exit 0
fi
# One build at a time per machine: a second caller waits for the first and then finds the binary.
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ -x "$cache/vault" ] && "$cache/vault" version >/dev/null 2>&1; then
  echo "$cache/vault"
  exit 0
fi
command -v go >/dev/null || { echo "build-vault: Go is required to build HashiCorp Vault for the tests" >&2; exit 1; }

echo "Building HashiCorp Vault $VAULT_VERSION from the Go module proxy into $cache (about 15 minutes on a cold Go cache)..." >&2
module_dir() { GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)",/\1/p'; }
src=$(mktemp -d)
trap 'chmod -R u+w "$src" 2>/dev/null; rm -rf "$src"' EXIT
cp -r "$(module_dir "github.com/hashicorp/vault@$VAULT_VERSION")/." "$src"
chmod -R u+w "$src"
# go.mod's replace directives point at ./api, ./sdk and ./api/auth/*.
cp -r "$(module_dir "github.com/hashicorp/vault/api@$VAULT_API")" "$src/api"
chmod -R u+w "$src/api"
mkdir -p "$src/api/auth"
cp -r "$(module_dir github.com/hashicorp/vault/api/auth/approle@v0.1.0)" "$src/api/auth/approle"
cp -r "$(module_dir github.com/hashicorp/vault/api/auth/userpass@v0.1.0)" "$src/api/auth/userpass"
cp -r "$(module_dir github.com/hashicorp/vault/api/auth/kubernetes@v0.10.0)" "$src/api/auth/kubernetes"
cp -r "$(module_dir "github.com/hashicorp/vault/sdk@$VAULT_SDK")" "$src/sdk"
chmod -R u+w "$src/api" "$src/sdk"
# The release branch keeps framework.Backend.ActivationFunc's two-argument form.
sed -i 's/ActivationFunc func(context.Context, \*logical.Request, string) error/ActivationFunc func(context.Context, *logical.Request) error/' "$src/sdk/framework/backend.go"
cp "$(module_dir "github.com/hashicorp/vault/sdk@$VAULT_SDK_KEYSUTIL")/helper/keysutil/lock_manager.go" "$src/sdk/helper/keysutil/lock_manager.go"
mkdir -p "$cache"
(cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -o "$cache/vault.partial.$$" .)
mv "$cache/vault.partial.$$" "$cache/vault"
"$cache/vault" version >&2
echo "$cache/vault"
