# Sourced (not run) by the guest builders, scripts/test-guest/build.sh and
# scripts/agent-guest/build.sh: the log helpers, the cache stamp and its check, the build
# lock, installing the host's build tools through apt, and putting the outputs in place with
# the stamp written last. The guest-specific steps stay in each build.sh.
#
# The builder sets, before calling these functions:
#   GUEST    its name, for log lines (test-guest, agent-guest)
#   HERE     its directory: every file there except README.md is a cache input
#   OUT      the output directory (the stamp is $OUT/.stamp)
#   OUTPUTS  the files a build leaves in $OUT (space-separated; manifest.json last)
#   FORCE    1 to rebuild even when the cache is valid
# and defines:
#   guest_extra_inputs  prints further cache inputs (tool versions, the mirror)
#   guest_packages_key  prints a key for the Debian packages the guest is made of (versions
#                       from apt), or nothing when apt knows none of them
#
# Stamp (key=value lines): inputs (hash of the inputs above and of this file), packages (the
# packages key at build time), aptLists (a fingerprint of apt's package lists then). The
# cache-hit path runs before every test run, so it sticks to few processes: apt is only asked
# for versions (~1 s) when its lists changed since the build.

GUEST_BUILD_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

log() { printf '%s: %s\n' "$GUEST" "$*" >&2; }
die() { log "error: $*"; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

guest_inputs_hash() {
  local h
  h="$({
    (cd "$HERE" && find . -type f ! -name README.md -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    sha256sum <"$GUEST_BUILD_LIB"
    guest_extra_inputs
  } | sha256sum)"
  printf '%s' "${h%% *}"
}

# Package versions can only change when apt's lists change: a fingerprint of the lists
# stands in for asking apt.
apt_lists_fingerprint() {
  local lists=/var/lib/apt/lists/ h
  # Only a custom APT_CONFIG can move the lists; skip apt-config otherwise.
  [ -z "${APT_CONFIG:-}" ] || eval "$(apt-config shell lists Dir::State::lists/d 2>/dev/null)" || true
  h="$({ stat -c '%n %s %Y' "$lists"*_Packages* 2>/dev/null || echo none; } | sha256sum)"
  printf '%s' "${h%% *}"
}

stamp_get() {   # key -> value from the stamp, with shell builtins only
  local k v
  [ -f "$OUT/.stamp" ] || return 0
  while IFS='=' read -r k v; do
    [ "$k" = "$1" ] && { printf '%s' "$v"; return 0; }
  done <"$OUT/.stamp"
}

outputs_present() {
  local f
  for f in $OUTPUTS; do [ -s "$OUT/$f" ] || return 1; done
}

# Exit 0 when the cached guest in $OUT is valid for $INPUTS.
guest_cache_valid() {
  local now
  [ "${FORCE:-0}" = 1 ] && return 1
  [ -f "$OUT/.stamp" ] && outputs_present || return 1
  [ "$(stamp_get inputs)" = "$INPUTS" ] || return 1
  [ "$(stamp_get aptLists)" = "$(apt_lists_fingerprint)" ] && return 0
  # The lists changed (or vanished): ask apt whether the packages did.
  now="$(guest_packages_key)"
  if [ -z "$now" ]; then
    log "apt knows none of the guest's packages (no package lists?); keeping the cached guest"
    return 0
  fi
  if [ "$now" = "$(stamp_get packages)" ]; then
    sed -i "s/^aptLists=.*/aptLists=$(apt_lists_fingerprint)/" "$OUT/.stamp"
    return 0
  fi
  log "the guest's Debian packages changed ($now); rebuilding"
  return 1
}

# Exits the builder when the cache is valid (sets INPUTS otherwise).
guest_exit_if_cached() {
  INPUTS="$(guest_inputs_hash)"
  if guest_cache_valid; then
    log "up to date: $OUT"
    exit 0
  fi
}

# Takes the build lock (fd 9), then exits if the cache became valid meanwhile: several test
# runs may call the builder at once, and the one that waited finds the guest built.
guest_lock() {
  mkdir -p "$OUT"
  exec 9>"$OUT/.lock"
  if ! flock -n 9; then
    log "another build is running in $OUT; waiting for it"
    flock 9
  fi
  if guest_cache_valid; then
    log "up to date: $OUT"
    exit 0
  fi
}

# Installs Debian packages as root; as anyone else prints the command to run and stops.
apt_install() {
  is_root || die "missing packages; run: sudo apt-get install -y --no-install-recommends $*"
  log "installing $*"
  # (console-data asks debconf questions; its defaults are fine)
  export DEBIAN_FRONTEND=noninteractive
  # Retry after refreshing the lists: a fresh image may have none.
  apt-get install -y --no-install-recommends "$@" >&2 ||
    { apt-get update >&2 && apt-get install -y --no-install-recommends "$@" >&2; } ||
    die "apt-get install $* failed"
}

# Installs what is missing of "package:test" pairs (test: a shell test, e.g. "-x /usr/bin/cpio"
# or "cmd mmdebstrap"); the inputs hash is taken again afterwards, tool versions being part of it.
guest_need_tools() {
  local pair pkg check missing=()
  for pair in "$@"; do
    pkg="${pair%%:*}"
    check="${pair#*:}"
    case "$check" in
      cmd\ *) command -v "${check#cmd }" >/dev/null && continue ;;
      pkg) [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] && continue ;;
      *) [ -e "$check" ] && continue ;;
    esac
    missing+=("$pkg")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  apt_install "${missing[@]}"
  INPUTS="$(guest_inputs_hash)"
}

# Moves $OUTPUTS from $1 (a staging dir inside $OUT) into $OUT; $2: the packages key of what was
# built (default: asked of apt now). The old stamp goes first and the
# new one comes last, so an interrupted run never leaves a stamp beside half-replaced files.
guest_install_outputs() {
  local stage="$1" f
  rm -f "$OUT/.stamp"
  for f in $OUTPUTS; do mv -f "$stage/$f" "$OUT/$f"; done
  cat >"$OUT/.stamp.tmp" <<EOF
inputs=$INPUTS
packages=${2:-$(guest_packages_key)}
aptLists=$(apt_lists_fingerprint)
EOF
  mv -f "$OUT/.stamp.tmp" "$OUT/.stamp"
}
