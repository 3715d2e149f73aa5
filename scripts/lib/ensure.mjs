// Makes a fresh clone usable: npm packages from the lockfile, Debian packages via apt-get when
// we are root, or the exact command to run when we are not. Used by `npm start` and `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Debian package → a file that proves it is installed.
export const RUNTIME_PACKAGES = {
  'qemu-system-x86': '/usr/bin/qemu-system-x86_64',
  'qemu-utils': '/usr/bin/qemu-img',
  ovmf: '/usr/share/OVMF/OVMF_CODE_4M.fd',
  // The emulated TPM 2.0 (the windows-11 preset); swtpm-tools for swtpm_setup.
  swtpm: '/usr/bin/swtpm',
  'swtpm-tools': '/usr/bin/swtpm_setup',
};
export const TEST_PACKAGES = {
  ...RUNTIME_PACKAGES,
  'busybox-static': '/bin/busybox',
  'grub-pc-bin': '/usr/lib/grub/i386-pc/boot_hybrid.img',
  'grub-common': '/usr/bin/grub-mkrescue',
  xorriso: '/usr/bin/xorriso',
  mtools: '/usr/bin/mformat',
  cpio: '/bin/cpio',
  'xz-utils': '/usr/bin/xz',
  zstd: '/usr/bin/zstd',
  chromium: '/usr/bin/chromium',
  // The Secure Boot test guest: Debian's signed shim and GRUB, and GRUB's EFI modules for the
  // unsigned loader the firmware must refuse (scripts/test-guest/make-esp.sh).
  'shim-signed': '/usr/lib/shim/shimx64.efi.signed',
  'grub-efi-amd64-signed': '/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed',
  'grub-efi-amd64-bin': '/usr/lib/grub/x86_64-efi/linux.mod',
  // Real readers of what the helper writes: GLib (gio launch: the autostart entry; gdbus: the
  // tray over a dbus-daemon session bus) and Python's plistlib (the macOS LaunchAgent).
  'libglib2.0-bin': '/usr/bin/gdbus',
  'dbus-daemon': '/usr/bin/dbus-daemon',
  python3: '/usr/bin/python3',
  // The real guest agent, run on the host for the QGA client's tests (guest-agent/qga-client.test.ts).
  'qemu-guest-agent': '/usr/sbin/qemu-ga',
};

// The benchmarks compare the console bridge with websockify on the same socket, and with the
// least a copying relay can do (helper/bench/minimal-relay.c, built with the C compiler).
export const BENCH_PACKAGES = { ...TEST_PACKAGES, websockify: '/usr/bin/websockify', gcc: '/usr/bin/gcc', 'libc6-dev': '/usr/include/stdio.h' };

export function step(label) {
  process.stderr.write(`\x1b[1m▸ ${label}\x1b[0m\n`);
}

// On Windows npm and npx are .cmd scripts, which Node runs only through a shell.
function run(cmd, args, opts = {}) {
  const shell = process.platform === 'win32' && (cmd === 'npm' || cmd === 'npx');
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repoRoot, shell, ...opts });
  if (r.status !== 0) {
    process.stderr.write(`✖ ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

// npm ci when node_modules is missing or older than the lockfile.
export function ensureNodeModules() {
  const marker = path.join(repoRoot, 'node_modules/.package-lock.json');
  const lock = path.join(repoRoot, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step('installing npm packages from the lockfile (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// What `npm test` and `npm start` leave to the user on a host without apt-get, said up front.
export function hostPackagesNote(platform = process.platform) {
  if (platform === 'darwin') return 'macOS: QEMU is not installed for you (brew install qemu); Debian packages are not checked';
  if (platform === 'win32') return 'Windows: QEMU is not installed for you (winget install SoftwareFreedomConservancy.QEMU); Debian packages are not checked';
  if (platform === 'linux') return null;
  return `${platform}: QEMU is not installed for you (use your package manager); Debian packages are not checked`;
}

export function ensureDebianPackages(packages) {
  const missing = Object.entries(packages)
    .filter(([, file]) => !existsSync(file))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (process.platform !== 'linux' || !hasApt) {
    process.stderr.write(
      `✖ missing: ${missing.join(', ')}. Install QEMU for your OS (macOS: brew install qemu; ` +
        `Windows: winget install SoftwareFreedomConservancy.QEMU) and run again.\n`,
    );
    process.exit(1);
  }
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    process.stderr.write(`✖ missing Debian packages: ${missing.join(', ')}\n  run: sudo apt-get update && sudo ${command}\n`);
    process.exit(1);
  }
  step(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
}

export function runOrExit(cmd, args, opts) {
  run(cmd, args, opts);
}
