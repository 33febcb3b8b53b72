#!/usr/bin/env bash
# Cuts a release: npm run release -- X.Y.Z [--dry-run]
# Checks a clean tree and a dist/ that is a fresh build of the sources, sets the version in package.json,
# turns the changelog's [Unreleased] section into [X.Y.Z] - today, commits, tags vX.Y.Z and moves the major
# tag vX to it (how users pin: uses: owner/vault-backup-action@v1), then prints the push commands.
# With --dry-run it runs the checks and prints what it would do, changing nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:-}"
dry_run=false
[ "${2:-}" = "--dry-run" ] && dry_run=true
if ! [[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
  echo "release: give the version as X.Y.Z, e.g. npm run release -- 0.2.0 --dry-run" >&2
  exit 2
fi
major="v${BASH_REMATCH[1]}"
tag="v$version"

fail() { echo "release: $*" >&2; exit 1; }
[ -z "$(git status --porcelain)" ] || fail "the working tree is not clean: commit or stash first"
git rev-parse -q --verify "refs/tags/$tag" >/dev/null && fail "tag $tag exists already"
grep -q '^## \[Unreleased\]' CHANGELOG.md || fail "CHANGELOG.md has no [Unreleased] section to release"
current=$(node -p 'require("./package.json").version')
node -e 'const [a,b]=process.argv.slice(1).map(v=>v.split(".").map(Number)); process.exit(a[0]>b[0]||(a[0]===b[0]&&(a[1]>b[1]||(a[1]===b[1]&&a[2]>b[2])))?0:1)' "$version" "$current" \
  || fail "$version is not newer than package.json's $current"

echo "checking that dist/ is a fresh build of the sources ..."
npm run build >/dev/null
[ -z "$(git status --porcelain -- dist)" ] || { git checkout -- dist; git clean -fdq -- dist; fail "dist/ is stale: run npm run build and commit dist/"; }

today=$(date -u +%Y-%m-%d)
echo "release $tag (package.json $current → $version, CHANGELOG [Unreleased] → [$version] - $today)"
commands=(
  "git tag -a $tag -m 'vault-backup-action $tag'"
  "git tag -f -a $major -m 'vault-backup-action $tag'"
)
push=("git push origin HEAD $tag" "git push -f origin $major")
if $dry_run; then
  echo "dry run: nothing changed. It would commit \"Release $tag\", then run:"
  printf '  %s\n' "${commands[@]}"
  echo "and you would push with:"
  printf '  %s\n' "${push[@]}"
  exit 0
fi

node -e 'const fs=require("fs"); const p=JSON.parse(fs.readFileSync("package.json","utf8")); p.version=process.argv[1]; fs.writeFileSync("package.json", JSON.stringify(p,null,2)+"\n")' "$version"
npm install --package-lock-only --no-audit --no-fund --silent
sed -i "s/^## \[Unreleased\]/## [Unreleased]\n\n## [$version] - $today/" CHANGELOG.md
git add package.json package-lock.json CHANGELOG.md
git commit -q -m "Release $tag"
for command in "${commands[@]}"; do eval "$command"; done
echo "tagged $tag and moved $major to it. Push with:"
printf '  %s\n' "${push[@]}"
