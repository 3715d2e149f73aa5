#!/usr/bin/env bash
# Makes a raw disk image holding one FAT EFI system partition that boots the
# test guest's kernel and initrd through GRUB, for the Secure Boot tests.
#
#   make-esp.sh OUT VMLINUZ INITRD CMDLINE SHIM GRUB   signed: Debian's shim as
#       EFI/BOOT/BOOTX64.EFI, Debian's signed GRUB as grubx64.efi beside it
#   make-esp.sh OUT VMLINUZ INITRD CMDLINE unsigned    a GRUB image made here
#       with grub-mkstandalone (signed by nobody) as EFI/BOOT/BOOTX64.EFI
#
# mtools writes the FAT file system into the image file: no root, no loop
# device. Output is reproducible enough for a cache: inputs decide it.
set -euo pipefail

OUT="$1" VMLINUZ="$2" INITRD="$3" CMDLINE="$4" MODE="$5"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/openutm-esp.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Debian's signed GRUB reads grub.cfg from the directory it was started from
# (EFI/BOOT here); under Secure Boot it has shim verify the kernel's signature.
cat >"$WORK/grub.cfg" <<CFG
set timeout=0
linux /vmlinuz $CMDLINE
initrd /initrd.img
boot
CFG

if [ "$MODE" = unsigned ]; then
  grub-mkstandalone -O x86_64-efi --locales= --fonts= --themes= \
    -o "$WORK/BOOTX64.EFI" "boot/grub/grub.cfg=$WORK/grub.cfg"
else
  cp "$MODE" "$WORK/BOOTX64.EFI"
  cp "$6" "$WORK/grubx64.efi"
fi

rm -f "$OUT"
# 32 MiB: the kernel and initrd with room to spare, small enough for FAT16.
truncate -s 32M "$OUT"
# MTOOLS_SKIP_CHECK: mtools need not find the image in a drive table.
export MTOOLS_SKIP_CHECK=1
mformat -i "$OUT" -v OPENUTM-ESP -N 4F55544D ::
mmd -i "$OUT" ::/EFI ::/EFI/BOOT
mcopy -i "$OUT" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
[ -f "$WORK/grubx64.efi" ] && mcopy -i "$OUT" "$WORK/grubx64.efi" ::/EFI/BOOT/grubx64.efi
mcopy -i "$OUT" "$WORK/grub.cfg" ::/EFI/BOOT/grub.cfg
mcopy -i "$OUT" "$VMLINUZ" ::/vmlinuz
mcopy -i "$OUT" "$INITRD" ::/initrd.img
