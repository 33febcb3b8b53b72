#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH (the machine's own when it is new enough, otherwise the
# pinned release install-node.sh fetches), so `npm run demo` and `npm test` work on an older Node.
#   bash scripts/on-node24.sh COMMAND [ARGS...]
set -euo pipefail
node_dir="$(bash "$(dirname "$0")/install-node.sh")"
PATH="$node_dir:$PATH"
export PATH
exec "$@"
