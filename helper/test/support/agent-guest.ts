import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, constants as fsConstants, link, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { VmCreateRequest } from '@openutm/shared';
import { REPO_ROOT } from './test-guest';

const run = promisify(execFile);

export interface AgentGuest {
  dir: string;
  kernel: string;
  initrd: string;
  // Raw ext4, the whole disk; never booted itself (attachAgentGuestDisk puts an overlay on it).
  rootImage: string;
  rootImageMiB: number;
  marker: string;
  prompt: string;
  cmdline: string;
  hostname: string;
  display: string;
}

interface Manifest {
  marker?: string;
  prompt?: string;
  cmdline?: string;
  hostname?: string;
  display?: string;
  rootDisk?: { file?: string; sizeMiB?: number };
}

// The Debian guest with X, spice-vdagent and qemu-ga built by scripts/agent-guest/build.sh
// (npm test builds it first, as it does the busybox guest).
export function agentGuest(): AgentGuest {
  const dir = process.env.OPENUTM_AGENT_GUEST_DIR ?? path.join(REPO_ROOT, '.cache/agent-guest');
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(`the agent test guest is not built (${manifestFile} is missing); run \`sudo npm run agent-guest\``);
  }
  const m = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  if (!m.marker || !m.prompt || !m.cmdline || !m.rootDisk?.file || !m.rootDisk.sizeMiB) {
    throw new Error(`${manifestFile} lacks marker, prompt, cmdline or rootDisk; rebuild it with OPENUTM_AGENT_GUEST_FORCE=1 npm run agent-guest`);
  }
  return {
    dir,
    kernel: path.join(dir, 'vmlinuz'),
    initrd: path.join(dir, 'initrd.img'),
    rootImage: path.join(dir, m.rootDisk.file),
    rootImageMiB: m.rootDisk.sizeMiB,
    marker: m.marker,
    prompt: m.prompt,
    cmdline: m.cmdline,
    hostname: m.hostname ?? 'agent-guest',
    display: m.display ?? ':0',
  };
}

// A VM that boots the agent guest from its kernel, with what the agents serve: QXL on SPICE,
// the SPICE agent and guest agent channels, an HDA sound card (its hda-duplex codec is what
// aplay lists), a virtio NIC on user networking, and the root disk as its first virtio disk.
// The disk the helper creates is empty: call attachAgentGuestDisk on it before the first start.
export function agentGuestRequest(name: string, extra: Partial<VmCreateRequest> = {}): VmCreateRequest {
  const g = agentGuest();
  return {
    name,
    preset: 'linux-desktop',
    system: { firmware: 'bios', memoryMiB: 1024, cpus: 1 },
    disks: [{ sizeMiB: g.rootImageMiB, format: 'qcow2', interface: 'virtio' }],
    linuxBoot: { kernel: g.kernel, initrd: g.initrd, cmdline: g.cmdline },
    display: { type: 'spice', device: 'qxl-vga' },
    sound: { enabled: true, device: 'intel-hda' },
    sharing: { spiceAgent: true, guestAgent: true },
    network: { mode: 'user', nic: 'virtio-net-pci' },
    ...extra,
  };
}

// Base image's name inside a VM's folder: the helper only lets a disk's backing file live there.
export const AGENT_GUEST_BASE = 'agent-guest-base.img';

// Turns a VM's (stopped) disk into a qcow2 overlay on the cached root image, so every VM boots
// the same clean system and none writes the cache: tests may boot it side by side and again.
// The base goes into the VM's folder as a hard link (free, same file system), else as a copy;
// QEMU opens a backing file read-only.
export async function attachAgentGuestDisk(vmFolder: string, diskFile = 'disk0.qcow2', qemuImg = 'qemu-img'): Promise<void> {
  const g = agentGuest();
  const base = path.join(vmFolder, AGENT_GUEST_BASE);
  if (!existsSync(base)) {
    await link(g.rootImage, base).catch(async () => {
      // Another file system (EXDEV), or protected_hardlinks refusing someone else's file.
      await copyFile(g.rootImage, base, fsConstants.COPYFILE_FICLONE);
    });
  }
  const disk = path.join(vmFolder, diskFile);
  await rm(disk, { force: true });
  // Relative backing name: the helper checks the chain stays inside the VM's folder.
  await run(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', AGENT_GUEST_BASE, '-F', 'raw', disk]);
}
