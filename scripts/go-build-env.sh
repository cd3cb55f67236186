# shellcheck shell=bash
# Sourced by the scripts that build Go binaries into .cache/ (the test control
# plane, helm): finds the Go toolchain and keeps every Go download and build
# artefact inside the repository's ignored cache, so a second run reuses them
# and nothing lands in the home directory.
#   go_build_env NAME REPO   sets go_bin (or exits) and exports the Go env.
# Env: GO (go binary), GO_CACHE_ROOT (default REPO/.cache/go).
go_build_env() {
  local name=$1 repo=$2
  go_bin="${GO:-}"
  if [[ -z "$go_bin" ]]; then
    if command -v go >/dev/null 2>&1; then
      go_bin="$(command -v go)"
    elif [[ -x /usr/local/go/bin/go ]]; then
      go_bin=/usr/local/go/bin/go
    else
      echo "$name: no Go toolchain found (set GO=/path/to/go)" >&2
      exit 1
    fi
  fi
  local cache_root="${GO_CACHE_ROOT:-$repo/.cache/go}"
  export GOPATH="$cache_root"
  export GOMODCACHE="$cache_root/mod"
  export GOCACHE="$cache_root/build"
  export GOTOOLCHAIN=local
  export CGO_ENABLED=0
  # -modcacherw: the module cache stays deletable with a plain rm -rf .cache.
  # -buildvcs=false: wrapper modules live in this repo's git tree; its VCS state is noise.
  export GOFLAGS="-modcacherw -buildvcs=false"
}
