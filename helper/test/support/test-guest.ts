import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VmCreateRequest } from '@openutm/shared';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TestGuest {
  kernel: string;
  initrd: string;
  iso: string;
  marker: string;
  cmdline: string;
}

// The busybox guest built by scripts/test-guest/build.sh (npm test builds it first).
export function testGuest(): TestGuest {
  const dir = process.env.OPENUTM_TEST_GUEST_DIR ?? path.join(REPO_ROOT, '.cache/test-guest');
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(`the test guest is not built (${manifestFile} is missing); run \`npm run test-guest\``);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { marker?: string; cmdline?: string };
  return {
    kernel: path.join(dir, 'vmlinuz'),
    initrd: path.join(dir, 'initrd.img'),
    iso: path.join(dir, 'test-guest.iso'),
    marker: manifest.marker ?? 'OPENUTM-TEST-GUEST-READY',
    cmdline: manifest.cmdline ?? 'console=tty0 console=ttyS0',
  };
}

// A VM that boots the test guest straight from its kernel: ~6 s to a shell under TCG.
export function kernelGuestRequest(name: string, extra: Partial<VmCreateRequest> = {}): VmCreateRequest {
  const g = testGuest();
  return {
    name,
    preset: 'linux-server',
    system: { firmware: 'bios', memoryMiB: 256, cpus: 1 },
    disks: [],
    linuxBoot: { kernel: g.kernel, initrd: g.initrd, cmdline: g.cmdline },
    sound: { enabled: false },
    ...extra,
  };
}
