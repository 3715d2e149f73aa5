import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../helper/test/support/test-guest';
import { waitForText } from '../../../helper/test/support/wait';
import type { RealHelper } from './real-helper';

// The agent guest built by scripts/agent-guest/build.sh (Debian, X on QXL, spice-vdagent),
// booted from its kernel with its root disk imported into the VM. Resolves once the guest says
// it is ready; fails when its SPICE agent did not come up (its status line says so).
export async function startAgentGuest(helper: RealHelper, name: string): Promise<string> {
  const dir = process.env.OPENUTM_AGENT_GUEST_DIR ?? path.join(REPO_ROOT, '.cache/agent-guest');
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`the agent guest is not built (${manifestFile} is missing); run \`bash scripts/agent-guest/build.sh\` as root`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { marker: string; cmdline: string; rootDisk: { file: string; format: 'raw' | 'qcow2' } };
  const api = await helper.api();
  const { config } = await api.call('vm.create', {
    name,
    preset: 'linux-desktop',
    system: { firmware: 'bios', memoryMiB: 1024, cpus: 1 },
    disks: [],
    linuxBoot: { kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.img'), cmdline: manifest.cmdline },
    display: { type: 'spice', device: 'qxl-vga' },
    sound: { enabled: false },
  });
  await api.call('vm.edit', { id: config.id, changes: { disks: { import: [{ path: path.join(dir, manifest.rootDisk.file), format: manifest.rootDisk.format, interface: 'virtio' }] } } });
  await api.call('vm.start', { id: config.id });
  const log = await waitForText(helper.serialLog(config.id), manifest.marker, 600_000);
  const status = /agent-guest: (x=\S+ .*vdagent=\S+.*)/.exec(log)?.[1] ?? '(no status line)';
  if (!/vdagent=up/.test(status)) throw new Error(`the agent guest booted without its SPICE agent: ${status}`);
  return config.id;
}
