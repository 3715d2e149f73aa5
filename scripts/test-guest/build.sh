#!/usr/bin/env bash
# Builds the OpenUTM test guest: a Debian kernel plus a busybox initramfs that
# prints a ready marker on the serial port, gives root shells on serial and
# screen, and powers off on the ACPI power button. Also a BIOS-bootable ISO of
# the same. Everything comes from Debian packages (apt); nothing else is
# downloaded. The result is cached: a second run with the same inputs exits
# at once. See README.md beside this file.
#
# Env:
#   OPENUTM_TEST_GUEST_DIR    output dir (default: <repo>/.cache/test-guest)
#   OPENUTM_TEST_GUEST_FORCE  set to 1 to rebuild even when the cache is valid
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${OPENUTM_TEST_GUEST_DIR:-$REPO/.cache/test-guest}"

MARKER="OPENUTM-TEST-GUEST-READY"
# The last console= becomes /dev/console; the tests read the serial port, so
# ttyS0 goes last. "quiet" keeps boot chatter down so the marker stands out.
CMDLINE="console=tty0 console=ttyS0 quiet"
KERNEL_META_PKG="linux-image-amd64"
# Modules the guest needs that Debian builds as modules: evdev gives input
# devices /dev/input/event* nodes (busybox acpid reads those), button is the
# ACPI power button driver. The block drivers (virtio_pci + virtio_blk, nvme,
# ahci, sd_mod) let the tests see the disks a VM's settings give it in
# /sys/block, which proves the QEMU drive arguments for each interface.
# xhci_pci + usbhid + hid_generic let the guest take the USB tablet QEMU gives
# it, which is what switches SPICE to absolute (client) mouse mode. efivarfs
# lets /init mount the UEFI variables, where the guest reads whether it booted
# under Secure Boot (the TPM drivers, tpm_crb and tpm_tis, are built in).
# virtio_net (with its failover deps) and e1000/e1000e are the NICs the presets
# give a VM: with one, /init configures slirp's static address so a test can
# reach the host (10.0.2.2) from inside the guest.
MODULES=(evdev button virtio_pci virtio_blk nvme ahci sd_mod xhci_pci usbhid hid_generic efivarfs)
MODULES+=(virtio_net e1000 e1000e)
# ext4 (which also mounts ext2) gives the snapshot tests a filesystem on a writable disk,
# made in the guest with busybox mke2fs; crc32c_generic is the checksum ext4 asks the crypto API for.
MODULES+=(ext4 crc32c_generic)
# Secure Boot disks (FAT EFI system partitions): Debian's signed shim and GRUB
# booting the signed kernel, and an unsigned GRUB the firmware must refuse.
ESP_IMAGES="secure-boot-esp.img unsigned-esp.img"
# Keyboard layouts the guest can switch its consoles to (busybox loadkmap), so a
# test can type into a guest whose layout is not US: name=console-data keymap.
KEYMAPS=(de=qwertz/de-latin1)
KEYMAP_DIR=/usr/share/keymaps/i386
SHIM_EFI=/usr/lib/shim/shimx64.efi.signed
GRUB_SIGNED_EFI=/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed

OUTPUTS="vmlinuz initrd.img test-guest.iso $ESP_IMAGES manifest.json"
GUEST=test-guest
FORCE="${OPENUTM_TEST_GUEST_FORCE:-0}"
# shellcheck source=../lib/guest-build.sh
. "$REPO/scripts/lib/guest-build.sh"

# Cache inputs besides this dir's files: the versions of the packages copied into the outputs.
# (grub-efi-amd64-bin: installed or not decides whether the ISO has EFI)
guest_extra_inputs() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Version}\n' busybox-static grub-common grub-pc-bin grub-efi-amd64-bin \
    shim-signed grub-efi-amd64-signed kbd console-data 2>/dev/null || true
}

# Sets KERNEL_PKG / KERNEL_PKG_VERSION to the real kernel package that
# linux-image-amd64 depends on (e.g. linux-image-6.1.0-56-amd64 6.1.192-2).
# Returns 1 when apt knows no candidate (package lists missing).
resolve_kernel_pkg() {
  local dep
  dep="$(apt-cache show --no-all-versions "$KERNEL_META_PKG" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1)" || true
  # "linux-image-6.1.0-56-amd64 (= 6.1.192-2)" (possibly among others)
  dep="$(printf '%s\n' "$dep" | tr ',' '\n' | grep -o 'linux-image-[^ ]* (= [^)]*)' | head -n1)" || true
  [ -n "$dep" ] || return 1
  KERNEL_PKG="${dep%% *}"
  KERNEL_PKG_VERSION="$(printf '%s' "$dep" | sed 's/.*(= \(.*\))/\1/')"
}

# The kernel is the one package of apt's the guest is made of: its name and version.
guest_packages_key() {
  resolve_kernel_pkg && printf '%s=%s' "$KERNEL_PKG" "$KERNEL_PKG_VERSION"
}

guest_exit_if_cached
guest_lock

# ------------------------------------------------------------------- tools
# busybox-static, not the dynamically linked busybox (both install /bin/busybox): the
# initramfs has no libc. Each package comes with the file that shows it is there.
guest_need_tools "busybox-static:pkg" "cpio:cmd cpio" "grub-common:cmd grub-mkrescue" \
  "grub-pc-bin:/usr/lib/grub/i386-pc" "xorriso:cmd xorriso" "mtools:cmd mformat" \
  "shim-signed:$SHIM_EFI" "grub-efi-amd64-signed:$GRUB_SIGNED_EFI" \
  "grub-efi-amd64-bin:/usr/lib/grub/x86_64-efi" "kbd:cmd loadkeys" "console-data:$KEYMAP_DIR"

# ------------------------------------------------------------------ kernel
WORK="$(mktemp -d "${TMPDIR:-/tmp}/openutm-test-guest.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# apt-get download as root fetches as user _apt, who must be able to write here.
chmod 755 "$WORK"

if ! resolve_kernel_pkg; then
  if is_root; then
    log "apt knows no $KERNEL_META_PKG; running apt-get update"
    apt-get update >&2 || die "apt-get update failed"
    resolve_kernel_pkg || die "apt still knows no $KERNEL_META_PKG"
  else
    die "apt knows no $KERNEL_META_PKG (package lists missing?); run: sudo apt-get update"
  fi
fi

log "downloading $KERNEL_PKG $KERNEL_PKG_VERSION"
download() { (cd "$WORK" && apt-get download -q "$KERNEL_PKG=$KERNEL_PKG_VERSION") >"$WORK/download.log" 2>&1; }
if ! download; then
  if is_root; then
    log "apt-get download failed; running apt-get update and retrying"
    apt-get update >&2 || die "apt-get update failed"
    # The fresh lists may name a newer kernel (the old .deb may be gone).
    resolve_kernel_pkg || die "apt knows no $KERNEL_META_PKG after apt-get update"
    download || { cat "$WORK/download.log" >&2; die "apt-get download $KERNEL_PKG failed"; }
  else
    cat "$WORK/download.log" >&2
    die "apt-get download $KERNEL_PKG failed; run: sudo apt-get update"
  fi
fi

# Unpacking beats installing: no maintainer scripts, no initramfs-tools run.
log "unpacking kernel package"
dpkg -x "$WORK"/"$KERNEL_PKG"_*.deb "$WORK/pkg"
# bookworm ships lib/modules/<ver>, later releases usr/lib/modules/<ver>.
MODROOT="$(find "$WORK/pkg" -maxdepth 4 -type d -path '*lib/modules/*' -prune | head -n1)"
[ -n "$MODROOT" ] || die "no lib/modules/<version> in $KERNEL_PKG"
KVER="$(basename "$MODROOT")"
[ -f "$WORK/pkg/boot/vmlinuz-$KVER" ] || die "no boot/vmlinuz-$KVER in $KERNEL_PKG"

# --------------------------------------------------------------- initramfs
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,etc/openutm,lib/modules/"$KVER"}
cp -a "$HERE/rootfs/." "$ROOT/"
# Set modes here rather than trusting the checkout's exec bits.
chmod 755 "$ROOT/init" "$ROOT/etc/acpi/PWRF/00000080"

install -m 755 /bin/busybox "$ROOT/bin/busybox"
# One symlink per applet (bin/sh, sbin/init, sbin/acpid, ...), made at build
# time so the archive is complete without a `busybox --install` at boot.
while read -r applet; do
  [ -e "$ROOT/$applet" ] || ln -s /bin/busybox "$ROOT/$applet"
done < <(/bin/busybox --list-full)

# Modules: take each with its dependencies, dependencies first, decompressed
# (busybox insmod is not guaranteed to read .ko.xz/.ko.zst). The package has
# no modules.dep (depmod runs at install), so read each module's own
# "depends=" field from its .modinfo section, which is what depmod uses.
mapfile -t ALL_MODS < <(find "$MODROOT/kernel" -type f -name '*.ko*')
mod_file() {   # module name -> file in the package ("-" and "_" are equal)
  local want="${1//-/_}" f base
  for f in "${ALL_MODS[@]}"; do
    base="${f##*/}"
    base="${base%%.ko*}"
    [ "${base//-/_}" = "$want" ] && { printf '%s\n' "$f"; return 0; }
  done
  return 1
}
decompress_module() {   # src dst
  case "$1" in
    *.ko) cp "$1" "$2" ;;
    *.ko.xz) if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else /bin/busybox xz -dc "$1" >"$2"; fi ;;
    *.ko.gz) gzip -dc "$1" >"$2" ;;
    *.ko.zst)
      command -v zstd >/dev/null || apt_install zstd
      zstd -q -dc "$1" >"$2" ;;
    *) die "unknown module format: $1" ;;
  esac
}
LOADED=()
add_module() {
  local name="${1//-/_}" src dst dep m
  for m in "${LOADED[@]:-}"; do [ "$m" = "$name" ] && return 0; done
  src="$(mod_file "$name")" || die "module $name not found in $KERNEL_PKG"
  dst="$ROOT/lib/modules/$KVER/$name.ko"
  decompress_module "$src" "$dst"
  for dep in $(tr '\0' '\n' <"$dst" | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "$dep"
  done
  LOADED+=("$name")
  echo "/lib/modules/$KVER/$name.ko" >>"$ROOT/etc/openutm/modules"
}
: >"$ROOT/etc/openutm/modules"
for m in "${MODULES[@]}"; do add_module "$m"; done
log "modules: ${LOADED[*]}"
# Binary keymaps for busybox loadkmap (`loadkeys -b` compiles them; it needs no console).
mkdir -p "$ROOT/etc/openutm/keymaps"
for km in "${KEYMAPS[@]}"; do
  loadkeys -b "$KEYMAP_DIR/${km#*=}.kmap.gz" >"$ROOT/etc/openutm/keymaps/${km%%=*}.bmap" ||
    die "loadkeys -b ${km#*=} failed"
done
# /init prints the marker from here, so this script is its one source.
echo "$MARKER" >"$ROOT/etc/openutm/marker"

# The kernel opens /dev/console for /init's stdio before /init runs (and
# mounts devtmpfs), so the archive must hold that node. mknod needs root, so
# write those two entries (dev/, dev/console) as cpio "newc" headers by hand
# and put them in front of cpio's output: the result is one well-formed
# archive (each entry is 4-byte aligned, the trailer comes from cpio).
newc_entry() {   # name mode(octal) rdevmajor rdevminor
  local name="$1" namesize=$((${#1} + 1)) pad
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
    0 "$((8#$2))" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
  printf '%s\0' "$name"
  pad=$(((4 - (110 + namesize) % 4) % 4))
  head -c "$pad" /dev/zero
}
{
  newc_entry dev 040755 0 0
  newc_entry dev/console 020600 5 1
} >"$WORK/dev.cpio"
# Everything else, owned by root whoever builds it, in a stable order, with
# fixed mtimes: the same inputs give a byte-identical initrd.img.
find "$ROOT" -exec touch -h -d @0 {} +
(cd "$ROOT" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
  cpio --null -o -H newc --reproducible -R 0:0 --quiet) >"$WORK/root.cpio"

STAGE="$OUT/.build.$$"
trap 'rm -rf "$WORK" "$STAGE"' EXIT
rm -rf "$STAGE"
mkdir -p "$STAGE"
cat "$WORK/dev.cpio" "$WORK/root.cpio" | gzip -9n >"$STAGE/initrd.img"
cp "$WORK/pkg/boot/vmlinuz-$KVER" "$STAGE/vmlinuz"
log "initrd.img: $(du -h "$STAGE/initrd.img" | cut -f1), vmlinuz: $(du -h "$STAGE/vmlinuz" | cut -f1)"

# --------------------------------------------------------------------- ISO
# grub-mkrescue makes an image for every GRUB platform installed under
# /usr/lib/grub: i386-pc (BIOS) and x86_64-efi (UEFI; grub-efi-amd64-bin is
# installed above for the unsigned Secure Boot disk).
ISO_ROOT="$WORK/iso"
mkdir -p "$ISO_ROOT/boot/grub"
cp "$STAGE/vmlinuz" "$STAGE/initrd.img" "$ISO_ROOT/boot/"
sed "s|@CMDLINE@|$CMDLINE|" "$HERE/grub.cfg" >"$ISO_ROOT/boot/grub/grub.cfg"
BOOT_MODES=()
for p in i386-pc:bios x86_64-efi:efi; do
  [ -d "/usr/lib/grub/${p%%:*}" ] && BOOT_MODES+=("${p##*:}")
done
log "making test-guest.iso (${BOOT_MODES[*]})"
# No translations, fonts or themes: the menu is never shown (saves ~7 MB).
grub-mkrescue --locales= --fonts= --themes= -o "$STAGE/test-guest.iso" "$ISO_ROOT" \
  >"$WORK/grub-mkrescue.log" 2>&1 ||
  { cat "$WORK/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }

# ------------------------------------------------------ Secure Boot disks
log "making $ESP_IMAGES"
"$HERE/make-esp.sh" "$STAGE/secure-boot-esp.img" "$STAGE/vmlinuz" "$STAGE/initrd.img" "$CMDLINE" "$SHIM_EFI" "$GRUB_SIGNED_EFI" \
  >"$WORK/esp.log" 2>&1 || { cat "$WORK/esp.log" >&2; die "making secure-boot-esp.img failed"; }
"$HERE/make-esp.sh" "$STAGE/unsigned-esp.img" "$STAGE/vmlinuz" "$STAGE/initrd.img" "$CMDLINE" unsigned \
  >"$WORK/esp.log" 2>&1 || { cat "$WORK/esp.log" >&2; die "making unsigned-esp.img failed"; }

# ---------------------------------------------------------------- manifest
file_json() {   # name
  printf '"%s": {"path": "%s", "size": %s, "sha256": "%s"}' "$1" "$1" \
    "$(stat -c %s "$STAGE/$1")" "$(sha256sum "$STAGE/$1" | cut -d' ' -f1)"
}
json_list() { local s="" x; for x in "$@"; do s+="${s:+, }\"$x\""; done; printf '[%s]' "$s"; }
cat >"$STAGE/manifest.json" <<EOF
{
  "kernelVersion": "$KVER",
  "kernelPackage": "$KERNEL_PKG",
  "kernelPackageVersion": "$KERNEL_PKG_VERSION",
  "marker": "$MARKER",
  "cmdline": "$CMDLINE",
  "serialConsole": "ttyS0",
  "prompt": "~ # ",
  "powerButton": "ACPI power button -> busybox acpid -> poweroff -f",
  "modules": $(json_list "${LOADED[@]}"),
  "isoBootModes": $(json_list "${BOOT_MODES[@]}"),
  "files": {
    $(file_json vmlinuz),
    $(file_json initrd.img),
    $(file_json test-guest.iso),
    $(file_json secure-boot-esp.img),
    $(file_json unsigned-esp.img)
  }
}
EOF

guest_install_outputs "$STAGE" "$KERNEL_PKG=$KERNEL_PKG_VERSION"
log "built $OUT (kernel $KVER; marker $MARKER)"
