import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PRESETS, type OsPreset, type VmConfig } from '@openutm/shared';
import { runtimePathsFor, type RuntimePaths } from '../runtime/runtime-paths';
import { launchQemu, type LaunchedQemu } from '../qemu-process/launch';
import { buildQemuArgs, type QemuLaunch } from './build-qemu-args';
import { THIS_DEBIAN_MACHINE } from './testing/host-fixtures';
import { MiniQmp } from './testing/mini-qmp';
import { swtpmSpec } from '../companions/swtpm';
import { startCompanion, stopCompanions } from '../companions/companion-process';
import { presetConfig, socketPath } from './testing/vm-fixtures';

// These tests start the real QEMU of this machine (Debian's 7.2, SPICE and seccomp built in,
// no KVM) with the builder's arguments, so the syntax is checked by QEMU itself.
const QEMU = '/usr/bin/qemu-system-x86_64';
const QEMU_IMG = '/usr/bin/qemu-img';
const SWTPM = existsSync('/usr/bin/swtpm') ? '/usr/bin/swtpm' : null;
const skip = existsSync(QEMU) && existsSync(QEMU_IMG) ? false : `needs ${QEMU} and ${QEMU_IMG}`;
const run = promisify(execFile);
const VM_NAME = 'we,ird "name" = ü,process=x';

interface Started {
  launch: QemuLaunch;
  paths: RuntimePaths;
  vmFolder: string;
  diskPath: string;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Ports nothing listens on right now (bind to 0, read, close); a race is possible but harmless here.
async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

async function killFromPidfile(pidFile: string): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  // A QEMU whose parent does not reap it (PID 1 after a helper exit) may stay a zombie: that counts as gone.
  for (let i = 0; i < 100; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (stat === null || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Creates the VM folder (hostile names), its disk, a short private runtime dir, builds the
// arguments and runs QEMU detached, the way the VM service does.
async function startVm(
  preset: OsPreset,
  edit: (c: VmConfig) => VmConfig = (c) => c,
  endpoints: (paths: RuntimePaths) => RuntimePaths = (p) => p,
  displayPassword?: string,
): Promise<Started> {
  const base = await mkdtemp('/tmp/ou-');
  const vmFolder = path.join(base, 'we,ird dir');
  await mkdir(vmFolder);
  const runtimeRoot = path.join(base, 'r');
  await mkdir(runtimeRoot, { mode: 0o700 });
  const config = presetConfig(preset, (c) =>
    edit({
      ...c,
      name: VM_NAME,
      // The preset's TPM runs on a real swtpm where it is installed (npm test installs it).
      system: { ...c.system, tpm: c.system.tpm && SWTPM !== null },
      // The first disk gets the hostile name; extra disks a test adds keep theirs.
      disks: c.disks.map((d, i) => (i === 0 ? { ...d, file: 'd,isk 1.qcow2', format: 'qcow2', sizeMiB: 16 } : d)),
    }),
  );
  const paths = endpoints(runtimePathsFor(runtimeRoot, config.id, 'linux'));
  await mkdir(paths.dir, { mode: 0o700 });
  const diskPath = path.join(vmFolder, 'd,isk 1.qcow2');
  if (config.disks.length > 0) await run(QEMU_IMG, ['create', '-q', '-f', 'qcow2', diskPath, '16M']);
  for (const d of config.disks.slice(1)) await run(QEMU_IMG, ['create', '-q', '-f', d.format, '--', path.join(vmFolder, d.file), `${d.sizeMiB}M`]);
  const facts = { ...THIS_DEBIAN_MACHINE, swtpm: SWTPM };
  const launch = buildQemuArgs(config, facts, paths, {
    vmFolder,
    efiVarsPath: path.join(vmFolder, 'efi,vars "1".fd'),
    acceleratorOverride: 'tcg',
  });
  if (displayPassword !== undefined) await writeFile(paths.displayPassword, displayPassword, { mode: 0o600 });
  if (launch.firmware) await copyFile(launch.firmware.varsTemplate, launch.firmware.vars);
  const swtpm = swtpmSpec({ config, facts, paths, vmFolder });
  if (swtpm) await startCompanion(swtpm);
  cleanups.push(async () => {
    await killFromPidfile(paths.pidFile);
    await stopCompanions(paths.dir);
    await rm(base, { recursive: true, force: true });
  });
  const qemu = await launchQemu({ binary: launch.binary, args: launch.args, logFile: paths.qemuLog });
  await monitorAccepts(paths, qemu);
  return { launch, paths, vmFolder, diskPath };
}

// Ready once the monitor accepts a connection (QEMU waits paused under -S); a QEMU that exits
// first fails the test with its log, which holds its stderr.
async function monitorAccepts(paths: RuntimePaths, qemu: LaunchedQemu): Promise<void> {
  const target = paths.qmp.kind === 'tcp' ? { host: paths.qmp.host, port: paths.qmp.port } : paths.qmp.path;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (qemu.hasExited()) {
      const { code, signal } = await qemu.exited;
      assert.fail(`QEMU exited with ${code ?? signal}: ${await readFile(paths.qemuLog, 'utf8').catch(() => '')}`);
    }
    const qmp = await MiniQmp.connect(target).catch(() => null);
    if (qmp) return qmp.close();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`QEMU's monitor did not accept within 30 s: ${await readFile(paths.qemuLog, 'utf8').catch(() => '')}`);
}

describe('real QEMU accepts the arguments', { skip }, () => {
  it('linux-server with BIOS and SPICE runs in the full sandbox, listens on QMP, and sees the names unchanged', async () => {
    const vm = await startVm('linux-server', (c) => ({ ...c, system: { ...c.system, firmware: 'bios' } }));
    assert.ok(vm.launch.args.includes('on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny'), 'not in the full sandbox');
    assert.ok((await stat(socketPath(vm.paths.qmp))).isSocket(), 'no QMP socket');
    assert.ok((await stat(socketPath(vm.paths.spice))).isSocket(), 'no SPICE socket');
    const qmp = await MiniQmp.connect(socketPath(vm.paths.qmp));
    try {
      assert.deepEqual(await qmp.execute('query-name'), { name: VM_NAME });
      assert.deepEqual(await qmp.execute('query-status'), { status: 'prelaunch', singlestep: false, running: false });
      const nodes = (await qmp.execute('query-named-block-nodes', { flat: true })) as Array<{ 'node-name': string; file: string; drv: string }>;
      const disk = nodes.find((n) => n['node-name'] === 'disk0');
      assert.equal(disk?.drv, 'qcow2');
      assert.equal(disk?.file, vm.diskPath);
    } finally {
      qmp.close();
    }
  });

  for (const preset of Object.keys(PRESETS) as OsPreset[]) {
    it(`${preset} with an ISO and every kind of CD drive starts paused`, async () => {
      const iso = '/usr/share/OVMF/OVMF_VARS_4M.fd'; // any readable file serves as a disc here
      const vm = await startVm(preset, (c) => ({
        ...c,
        removable: [
          { id: 'cd0', iso, interface: c.removable[0]!.interface },
          { id: 'cd1', iso: null, interface: 'usb' },
          { id: 'cd2', iso: null, interface: 'scsi' },
        ],
      }));
      const qmp = await MiniQmp.connect(socketPath(vm.paths.qmp));
      try {
        // The service changes media by the config id: check QEMU knows the drives by it.
        await qmp.execute('blockdev-change-medium', { id: 'cd2', filename: iso, format: 'raw', 'read-only-mode': 'read-only' });
        await qmp.execute('eject', { id: 'cd0', force: true });
        const block = (await qmp.execute('query-block')) as Array<{ qdev: string; inserted?: { file: string } }>;
        assert.equal(block.find((b) => b.qdev.includes('cd2'))?.inserted?.file, iso);
        assert.equal(block.find((b) => b.qdev.includes('cd0'))?.inserted, undefined);
        // The preset's TPM is attached to the swtpm the companion started.
        const tpms = (await qmp.execute('query-tpm')) as Array<{ model: string; options: { type: string } }>;
        assert.deepEqual(tpms.map((t) => [t.model, t.options.type]), vm.launch.args.includes('-tpmdev') ? [['tpm-crb', 'emulator']] : []);
      } finally {
        qmp.close();
      }
    });
  }

  for (const machine of ['q35', 'pc'] as const) {
    it(`every disk interface on ${machine} (odd file names, raw and qcow2, read-only) starts paused with its node`, async () => {
      const extra = [
        { id: 'nv', file: 'n v,me.qcow2', format: 'qcow2' as const, interface: 'nvme' as const },
        { id: 'sa', file: 'sata ü,,x.img', format: 'raw' as const, interface: 'sata' as const },
        { id: 'id', file: 'i..de.qcow2', format: 'qcow2' as const, interface: 'ide' as const },
        { id: 'us', file: 'u,sb "1".qcow2', format: 'qcow2' as const, interface: 'usb' as const, readOnly: true },
      ];
      const vm = await startVm('linux-server', (c) => ({
        ...c,
        system: { ...c.system, firmware: 'bios', machine },
        disks: [...c.disks, ...extra.map((d) => ({ sizeMiB: 8, readOnly: false, ...d }))],
        removable: [{ id: 'cd0', iso: null, interface: machine === 'pc' ? 'ide' : 'sata' }],
      }));
      const qmp = await MiniQmp.connect(socketPath(vm.paths.qmp));
      try {
        const nodes = (await qmp.execute('query-named-block-nodes', { flat: true })) as Array<{ 'node-name': string; file: string; drv: string; ro: boolean }>;
        const files = extra.map((d, i) => {
          const node = nodes.find((n) => n['node-name'] === `disk${i + 1}`);
          return [node?.file, node?.drv, node?.ro];
        });
        assert.deepEqual(files, extra.map((d) => [path.join(vm.vmFolder, d.file), d.format, d.interface === 'usb']));
        const block = (await qmp.execute('query-block')) as Array<{ qdev?: string }>;
        for (const d of extra) assert.ok(block.some((b) => b.qdev?.includes(`/${d.id}/`) || b.qdev === d.id || b.qdev?.endsWith(`/${d.id}`)), `QEMU has no device ${d.id}: ${JSON.stringify(block.map((b) => b.qdev))}`);
      } finally {
        qmp.close();
      }
    });
  }

  it("a VNC VM gets QEMU's vdagent as the SPICE agent's port, beside the guest agent, in the sandbox", async () => {
    const vm = await startVm('linux-desktop', (c) => ({ ...c, system: { ...c.system, firmware: 'bios' }, display: { ...c.display, type: 'vnc', device: 'qxl-vga' } }));
    assert.ok(vm.launch.args.includes('-vnc'), 'not a VNC VM');
    const qmp = await MiniQmp.connect(socketPath(vm.paths.qmp));
    try {
      const chardevs = (await qmp.execute('query-chardev')) as Array<{ label: string; filename: string }>;
      assert.ok(chardevs.some((c) => c.label === 'vdagent'), JSON.stringify(chardevs));
      const port = (name: string) => qmp.execute('qom-get', { path: `/machine/peripheral/${name}`, property: 'name' });
      assert.equal(await port('vdagent_port'), 'com.redhat.spice.0');
      assert.equal(await port('qga_port'), 'org.qemu.guest_agent.0');
      assert.equal(await qmp.execute('qom-get', { path: '/machine/peripheral/vdagent_port', property: 'chardev' }), 'vdagent');
    } finally {
      qmp.close();
    }
  });

  it('loopback TCP endpoints and a display password (the Windows form) are accepted', async () => {
    const [qmpPort, spicePort, serialPort, agentPort, vncPort] = (await freePorts(5)) as [number, number, number, number, number];
    const tcp = (port: number) => ({ kind: 'tcp' as const, host: '127.0.0.1' as const, port });
    const vm = await startVm(
      'windows-10',
      (c) => c,
      (p) => ({ ...p, qmp: tcp(qmpPort), spice: tcp(spicePort), vnc: tcp(vncPort), serial: tcp(serialPort), guestAgent: tcp(agentPort) }),
      'pass,word="1"',
    );
    assert.ok(vm.launch.args.some((a) => a.startsWith('{"qom-type":"secret"')), 'no secret object');
    assert.equal(vm.launch.args.some((a) => a.includes('pass,word')), false, 'the password is on the command line');
    const qmp = await MiniQmp.connect({ host: '127.0.0.1', port: qmpPort });
    try {
      const spice = (await qmp.execute('query-spice')) as { auth: string; port: number; host: string };
      assert.deepEqual([spice.auth, spice.port, spice.host], ['spice', spicePort, '127.0.0.1']);
    } finally {
      qmp.close();
    }
  });

  it('a UEFI VM boots into the firmware from its own variable store', async () => {
    const vm = await startVm('linux-server');
    assert.ok(vm.launch.firmware, 'linux-server should boot UEFI');
    const qmp = await MiniQmp.connect(socketPath(vm.paths.qmp));
    try {
      await qmp.execute('cont');
      // OVMF's boot manager reports its progress on the serial console, which is logged.
      let serial = '';
      for (let i = 0; i < 240 && !serial.includes('BdsDxe'); i++) {
        await new Promise((r) => setTimeout(r, 250));
        serial = await readFile(vm.paths.serialQemuLog, 'utf8').catch(() => '');
      }
      assert.match(serial, /BdsDxe/);
    } finally {
      qmp.close();
    }
  });
});
