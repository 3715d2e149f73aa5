import { spawnSync } from 'node:child_process';
import { spiceFromHelp } from '../../src/host/parse-qemu-help';

// Why a test that needs QEMU's SPICE server cannot run on this host, or false. Homebrew's QEMU
// (macOS CI) is built without SPICE; there the helper shows the same console over VNC, which the
// VNC tests cover. No QEMU at all is not a reason: those tests should then fail and say so.
export const NO_SPICE: string | false = (() => {
  const r = spawnSync('qemu-system-x86_64', ['-spice', 'help'], { encoding: 'utf8', timeout: 30_000, windowsHide: true });
  if (r.error || r.status === null) return false;
  return spiceFromHelp(`${r.stdout}${r.stderr}`) ? false : 'this QEMU is built without SPICE (Homebrew\'s is); the VNC tests cover the console here';
})();
