#!/usr/bin/env bash
# Builds the OpenUTM agent test guest: a small Debian bookworm system (mmdebstrap, apt only)
# with X on the VM's QXL adapter, spice-vdagent, qemu-guest-agent, xclip and ALSA, for the
# tests of the guest joining the desktop (clipboard, resize, sound, typing, guest agent).
# Outputs Debian's kernel, an initrd and a raw ext4 root disk. The result is cached: a second
# run with the same inputs exits at once. See README.md beside this file.
#
# Env:
#   OPENUTM_AGENT_GUEST_DIR     output dir (default: <repo>/.cache/agent-guest)
#   OPENUTM_AGENT_GUEST_FORCE   set to 1 to rebuild even when the cache is valid
#   OPENUTM_AGENT_GUEST_MIRROR  Debian mirror (default: http://deb.debian.org/debian)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${OPENUTM_AGENT_GUEST_DIR:-$REPO/.cache/agent-guest}"
MIRROR="${OPENUTM_AGENT_GUEST_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm

MARKER="OPENUTM-AGENT-GUEST-READY"
PROMPT="agent-guest# "
HOSTNAME_="agent-guest"
# The last console= becomes /dev/console: ttyS0, which the tests read. The root disk is the
# VM's first virtio disk, a whole-disk ext4 (no partition table). No fsck (each VM boots a
# fresh overlay of a clean image), eth0 instead of a PCI-path name, our own init.
CMDLINE="root=/dev/vda rw console=tty0 console=ttyS0 quiet net.ifnames=0 fsck.mode=skip init=/usr/sbin/openutm-init"
# Top-level packages; apt adds their dependencies (never their recommends).
PACKAGES=(linux-image-amd64 kmod udev procps iproute2 netcat-openbsd acpid
  xserver-xorg-core xserver-xorg-video-qxl xserver-xorg-input-evdev x11-xserver-utils xclip
  spice-vdagent qemu-guest-agent alsa-utils sox)
# Kernel modules kept (with their dependencies); the rest of the ~400 MB go. Disks, NICs and
# the adapters the presets give a VM, QXL, sound cards, virtio ports and input, plus file
# systems a later test may mount.
KEEP_MODULES=(virtio_pci virtio_blk virtio_scsi virtio_net virtio_console virtio_input virtio_rng virtio_balloon
  ahci sd_mod sr_mod nvme e1000 e1000e 8139cp
  qxl bochs virtio_gpu drm drm_kms_helper ttm
  snd_hda_intel snd_hda_codec_generic snd_intel8x0 snd_pcm_oss snd_seq
  evdev button uinput usbhid hid_generic xhci_pci psmouse
  ext4 crc32c_generic crc32c_intel vfat isofs iso9660 loop overlay fuse 9p 9pnet_virtio virtiofs efivarfs
  vmw_vsock_virtio_transport)
OUTPUTS="vmlinuz initrd.img rootfs.img manifest.json"
GUEST=agent-guest
FORCE="${OPENUTM_AGENT_GUEST_FORCE:-0}"
# shellcheck source=../lib/guest-build.sh
. "$REPO/scripts/lib/guest-build.sh"

# Cache inputs besides this dir's files: the mirror and the builder's tools.
guest_extra_inputs() {
  echo "$MIRROR $SUITE"
  dpkg-query -W -f='${Package} ${Version}\n' mmdebstrap e2fsprogs 2>/dev/null || true
}

# The candidate versions of the top-level packages, hashed; empty when apt knows none of them.
# (Only the host's lists answer this, so it only sees the mirror the host uses.)
guest_packages_key() {
  local v h
  v="$(apt-cache show --no-all-versions "${PACKAGES[@]}" 2>/dev/null | grep -E '^(Package|Version):' || true)"
  [ -n "$v" ] || return 0
  h="$(printf '%s\n' "$v" | sha256sum)"
  printf '%s' "${h%% *}"
}

guest_exit_if_cached
# mmdebstrap makes a root-owned tree and mke2fs copies its owners: root only.
is_root || die "building the agent guest needs root; run: sudo $0"
guest_lock

# ------------------------------------------------------------------- tools
guest_need_tools "mmdebstrap:cmd mmdebstrap" "e2fsprogs:cmd mke2fs"
[ -n "$(guest_packages_key)" ] || { log "apt has no package lists; running apt-get update"; apt-get update >&2 || die "apt-get update failed"; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/openutm-agent-guest.XXXXXX")"
STAGE="$OUT/.build.$$"
trap 'rm -rf "$WORK" "$STAGE"' EXIT
TREE="$WORK/tree"

# ------------------------------------------------------------------ system
# Hooks run on the host with the tree as "$1":
# - setup: before any package is unpacked, so the kernel's postinst builds a small initrd
#   (only the root disk's drivers: MODULES=list) in one go;
# - customize: after everything is installed: our files, the marker, the unused modules out.
SETUP_HOOK='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"
printf "MODULES=list\nCOMPRESS=gzip\n" >"$1/etc/initramfs-tools/conf.d/openutm"
printf "virtio_pci\nvirtio_blk\next4\ncrc32c_generic\n" >"$1/usr/share/initramfs-tools/modules.d/openutm"'
NO_DOCS=()
# No documentation or translations; no Mesa (the QXL driver draws in 2D, and Mesa with
# its LLVM is ~170 MB: GLX is just left out).
for p in '/usr/share/doc/*' '/usr/share/man/*' '/usr/share/info/*' '/usr/share/locale/*' \
  '/usr/share/lintian/*' '/usr/lib/x86_64-linux-gnu/dri/*' '/usr/lib/x86_64-linux-gnu/libLLVM-*' '/usr/lib/x86_64-linux-gnu/libz3.so*'; do
  NO_DOCS+=(--dpkgopt="path-exclude=$p")
done
# (copyright files stay: the licences travel with the image)
NO_DOCS+=(--dpkgopt='path-include=/usr/share/doc/*/copyright')

log "mmdebstrap $SUITE (${#PACKAGES[@]} packages and their dependencies; 1-3 min)"
# Progress: mmdebstrap's own "I:" lines, which name each stage.
mmdebstrap --variant=minbase --mode=root --format=directory \
  --aptopt='APT::Install-Recommends "false"' "${NO_DOCS[@]}" \
  --setup-hook="$SETUP_HOOK" \
  --include="$(IFS=,; echo "${PACKAGES[*]}")" \
  "$SUITE" "$TREE" \
  "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
  "deb ${OPENUTM_AGENT_GUEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security} $SUITE-security main" \
  >"$WORK/mmdebstrap.log" 2> >(tee -a "$WORK/mmdebstrap.log" | grep --line-buffered '^I: ' | sed -u 's/^I: /agent-guest:   /' >&2) ||
  { tail -n 30 "$WORK/mmdebstrap.log" >&2; die "mmdebstrap failed (its last lines are above: a mirror or apt problem?)"; }

KVER="$(basename "$(find "$TREE/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")"
[ -f "$TREE/boot/vmlinuz-$KVER" ] || die "no boot/vmlinuz-$KVER in the image"
[ -f "$TREE/boot/initrd.img-$KVER" ] || die "no boot/initrd.img-$KVER in the image"

log "installing the guest's files (init, X, udev and acpid rules, shell)"
cp -a "$HERE/rootfs/." "$TREE/"
chmod 755 "$TREE"/usr/sbin/openutm-*
for n in poweroff reboot halt shutdown; do ln -sf openutm-poweroff "$TREE/usr/sbin/$n"; done
mkdir -p "$TREE/etc/openutm"
echo "$MARKER" >"$TREE/etc/openutm/marker"
echo "$HOSTNAME_" >"$TREE/etc/hostname"
# Xorg as root from our init: no console-permission wrapper to go through.
rm -f "$TREE/etc/X11/Xwrapper.config"
# Where spice-vdagent saves files dropped on the console (openutm-init passes it with -f):
# without one it turns file transfers off.
mkdir -p "$TREE/root/Downloads"

log "keeping ${#KEEP_MODULES[@]} kernel modules and their dependencies"
keep="$WORK/keep-modules"
for m in "${KEEP_MODULES[@]}"; do
  chroot "$TREE" modprobe --show-depends --set-version "$KVER" "$m" 2>/dev/null | awk '$1 == "insmod" {print $2}'
done | sort -u >"$keep"
# Sound: the HDA controller loads its codec drivers itself, by name, not as dependencies.
find "$TREE/lib/modules/$KVER/kernel/sound/pci/hda" -name 'snd-hda-codec*.ko*' -printf "/lib/modules/$KVER/kernel/sound/pci/hda/%f\n" >>"$keep"
[ "$(wc -l <"$keep")" -gt 20 ] || die "modprobe --show-depends found too few modules (is kmod in the image?)"
(cd "$TREE" && find "lib/modules/$KVER/kernel" -type f -name '*.ko*' -printf '/%p\n') | sort >"$WORK/all-modules"
comm -23 "$WORK/all-modules" <(sort -u "$keep") | sed "s|^|$TREE|" | xargs -r rm -f
find "$TREE/lib/modules/$KVER/kernel" -type d -empty -delete
chroot "$TREE" depmod "$KVER"

# Caches that only grow the image.
rm -rf "$TREE"/var/cache/apt/* "$TREE"/var/lib/apt/lists/* "$TREE"/var/log/*.log "$TREE"/var/cache/debconf/*-old

# ---------------------------------------------------------------- disk image
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$TREE/boot/vmlinuz-$KVER" "$STAGE/vmlinuz"
cp "$TREE/boot/initrd.img-$KVER" "$STAGE/initrd.img"
used_mib=$(($(du -sm "$TREE" | cut -f1)))
# Room for what the tests write (files to copy, clipboard dumps, recordings): 256 MiB.
size_mib=$((used_mib + used_mib / 10 + 256))
log "making rootfs.img: ext4, ${size_mib} MiB (${used_mib} MiB used)"
# No journal: every boot starts from a clean overlay, and a journal is 64 MiB of writes.
mke2fs -q -t ext4 -O ^has_journal -L agent-root -E root_owner=0:0 -d "$TREE" "$STAGE/rootfs.img" "${size_mib}M" ||
  die "mke2fs failed"

# ---------------------------------------------------------------- manifest
file_json() {   # name
  printf '"%s": {"path": "%s", "size": %s, "sha256": "%s"}' "$1" "$1" \
    "$(stat -c %s "$STAGE/$1")" "$(sha256sum "$STAGE/$1" | cut -d' ' -f1)"
}
json_list() { local s="" x; for x in "$@"; do s+="${s:+, }\"$x\""; done; printf '[%s]' "$s"; }
versions="$(chroot "$TREE" dpkg-query -W -f='${Package}=${Version}\n' "${PACKAGES[@]}" | LC_ALL=C sort)"
cat >"$STAGE/manifest.json" <<EOF
{
  "suite": "$SUITE",
  "kernelVersion": "$KVER",
  "marker": "$MARKER",
  "cmdline": "$CMDLINE",
  "serialConsole": "ttyS0",
  "prompt": "$PROMPT",
  "hostname": "$HOSTNAME_",
  "display": ":0",
  "rootDisk": {"file": "rootfs.img", "format": "raw", "interface": "virtio", "sizeMiB": $size_mib, "usedMiB": $used_mib},
  "packages": $(json_list $versions),
  "files": {
    $(file_json vmlinuz),
    $(file_json initrd.img),
    $(file_json rootfs.img)
  }
}
EOF

guest_install_outputs "$STAGE"
log "built $OUT (kernel $KVER; rootfs.img ${size_mib} MiB, $(du -sm "$OUT/rootfs.img" | cut -f1) MiB on disk; marker $MARKER)"
