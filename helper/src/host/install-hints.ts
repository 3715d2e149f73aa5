import type { Architecture, HostOs } from '@openutm/shared';

export interface OsRelease {
  id: string;
  idLike: string[];
  prettyName: string | null;
}

// Reads /etc/os-release (KEY=value lines, values optionally quoted, see os-release(5)).
export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    fields.set(m[1]!, value);
  }
  return {
    id: (fields.get('ID') ?? 'linux').toLowerCase(),
    idLike: (fields.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean),
    prettyName: fields.get('PRETTY_NAME') ?? null,
  };
}

// The things the doctor may tell someone to install.
export type Installable = 'qemu' | 'qemu-img' | 'firmware' | 'swtpm' | 'spice';

// Package names per thing, or a sentence when there is nothing to install.
interface Recipe {
  command: (packages: string[]) => string;
  qemu: Record<Architecture, string[]>;
  qemuImg: string[];
  firmware: Record<Architecture, string[]>;
  swtpm: string[] | string;
  spice: string[] | string;
}

const apt: Recipe = {
  command: (p) => `sudo apt-get install ${p.join(' ')}`,
  qemu: { x86_64: ['qemu-system-x86'], aarch64: ['qemu-system-arm'] },
  qemuImg: ['qemu-utils'],
  firmware: { x86_64: ['ovmf'], aarch64: ['qemu-efi-aarch64'] },
  swtpm: ['swtpm'],
  // Ubuntu (and Debian from 13) split SPICE out of the main package.
  spice: ['qemu-system-modules-spice'],
};

const fedora: Recipe = {
  command: (p) => `sudo dnf install ${p.join(' ')}`,
  qemu: { x86_64: ['qemu-system-x86'], aarch64: ['qemu-system-aarch64'] },
  qemuImg: ['qemu-img'],
  firmware: { x86_64: ['edk2-ovmf'], aarch64: ['edk2-aarch64'] },
  swtpm: ['swtpm'],
  spice: ['qemu-ui-spice-core', 'qemu-char-spice'],
};

// RHEL and its rebuilds ship only qemu-kvm, for the host architecture, and dropped SPICE in 9.
const rhel: Recipe = {
  ...fedora,
  qemu: { x86_64: ['qemu-kvm'], aarch64: ['qemu-kvm'] },
  spice: 'nothing to install: this distribution builds QEMU without SPICE, so the console uses VNC',
};

const pacman: Recipe = {
  command: (p) => `sudo pacman -S --needed ${p.join(' ')}`,
  qemu: { x86_64: ['qemu-system-x86'], aarch64: ['qemu-system-aarch64'] },
  qemuImg: ['qemu-img'],
  firmware: { x86_64: ['edk2-ovmf'], aarch64: ['edk2-aarch64'] },
  swtpm: ['swtpm'],
  spice: ['qemu-ui-spice-core', 'qemu-chardev-spice'],
};

const zypper: Recipe = {
  command: (p) => `sudo zypper install ${p.join(' ')}`,
  qemu: { x86_64: ['qemu-x86'], aarch64: ['qemu-arm'] },
  qemuImg: ['qemu-tools'],
  firmware: { x86_64: ['qemu-ovmf-x86_64'], aarch64: ['qemu-uefi-aarch64'] },
  swtpm: ['swtpm'],
  spice: ['qemu-ui-spice-core', 'qemu-chardev-spice'],
};

// Homebrew's qemu formula carries qemu-img and the edk2 firmware for every architecture.
const brew: Recipe = {
  command: (p) => `brew install ${p.join(' ')}`,
  qemu: { x86_64: ['qemu'], aarch64: ['qemu'] },
  qemuImg: ['qemu'],
  firmware: { x86_64: ['qemu'], aarch64: ['qemu'] },
  swtpm: ['swtpm'],
  spice: "nothing to install: Homebrew's QEMU is built without SPICE, so the console uses VNC",
};

// The official Windows installer (winget id checked against the winget-pkgs manifests).
const winget: Recipe = {
  command: () => 'winget install --exact --id SoftwareFreedomConservancy.QEMU',
  qemu: { x86_64: ['qemu'], aarch64: ['qemu'] },
  qemuImg: ['qemu'],
  firmware: { x86_64: ['qemu'], aarch64: ['qemu'] },
  swtpm: 'swtpm has no Windows build; create Windows 11 VMs without a TPM (the installer check can be bypassed)',
  spice: 'nothing to install: this QEMU build has no SPICE, so the console uses VNC',
};

// The package recipe for this host: by OS, and on Linux by os-release ID, then ID_LIKE.
function recipeFor(os: HostOs, release: OsRelease | null): Recipe | null {
  if (os === 'darwin') return brew;
  if (os === 'win32') return winget;
  if (!release) return null;
  const byId: Record<string, Recipe> = {
    debian: apt,
    ubuntu: apt,
    fedora,
    rhel,
    centos: rhel,
    rocky: rhel,
    almalinux: rhel,
    arch: pacman,
    manjaro: pacman,
    suse: zypper,
    opensuse: zypper,
    'opensuse-leap': zypper,
    'opensuse-tumbleweed': zypper,
    sles: zypper,
  };
  for (const id of [release.id, ...release.idLike]) {
    const r = byId[id];
    if (r) return r;
  }
  return null;
}

// The exact command (or, with nothing to install, the sentence) that provides each thing on this
// host. `architecture` picks QEMU and firmware packages; several things combine into one command.
export function installCommand(
  os: HostOs,
  release: OsRelease | null,
  what: readonly Installable[],
  architecture: Architecture,
): string {
  const r = recipeFor(os, release);
  if (!r) return genericAdvice(what, architecture);
  const parts = what.map((w): string[] | string => {
    switch (w) {
      case 'qemu':
        return r.qemu[architecture];
      case 'qemu-img':
        return r.qemuImg;
      case 'firmware':
        return r.firmware[architecture];
      case 'swtpm':
        return r.swtpm;
      case 'spice':
        return r.spice;
    }
  });
  const sentence = parts.find((p): p is string => typeof p === 'string');
  const packages = [...new Set(parts.filter((p): p is string[] => typeof p !== 'string').flat())];
  if (packages.length === 0) return sentence ?? '';
  return r.command(packages);
}

function genericAdvice(what: readonly Installable[], architecture: Architecture): string {
  const names: Record<Installable, string> = {
    qemu: `QEMU (qemu-system-${architecture})`,
    'qemu-img': 'qemu-img',
    firmware: architecture === 'x86_64' ? 'OVMF (edk2 UEFI firmware)' : 'AAVMF (edk2 UEFI firmware for aarch64)',
    swtpm: 'swtpm',
    spice: "QEMU's SPICE module",
  };
  return `install ${what.map((w) => names[w]).join(', ')} with your distribution's package manager`;
}
