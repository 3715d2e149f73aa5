// What a person can do about QEMU's reasons a running VM cannot be migrated (query-migrate
// blocked-reasons), which also stop it saving its memory (suspend, snapshots with memory).
// QEMU names the device in its own words; the way out is in OpenUTM's terms where we know it.
export function migrationBlockerFix(reasons: readonly string[]): string {
  // QEMU before 8.1 cannot save its vdagent, the clipboard channel of a VNC console.
  if (reasons.some((r) => /vdagent/i.test(r))) {
    return "shut the VM down first, or turn off the SPICE agent in the VM's settings (a VNC console then shares no clipboard; QEMU 8.1 and later save it), or give the VM a SPICE display";
  }
  return 'shut the VM down first, or remove the device QEMU names';
}
