import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { NO_RUN, pipeEndpoint } from './pipe-names';
import { isOpenUtmError } from '@openutm/shared';
import { NO_PORTS, PORTS_FILE, VNC_PORTS, parsePortsFile, pickLoopbackPorts, probeLoopbackPort, readPortsFileSync, writePortsFile, type PortProbe } from './loopback-ports';
import { runtimePathsFor } from './runtime-paths';

test('on this host: ports the OS really handed out, all distinct, VNC in its 5900 range', async () => {
  const { run, ...ports } = await pickLoopbackPorts();
  assert.match(run ?? '', /^[0-9a-f]{32}$/, 'a fresh run token for the Windows pipes');
  const all = Object.values(ports);
  assert.equal(new Set(all).size, all.length);
  assert.ok(all.every((p) => p > 0 && p < 65_536), all.join(' '));
  assert.ok(ports.vnc >= VNC_PORTS.first && ports.vnc <= VNC_PORTS.last, `vnc ${ports.vnc}`);
});

test('the probe reports a port someone listens on as taken', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  try {
    assert.equal(await probeLoopbackPort((holder.address() as net.AddressInfo).port), null);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('a port the OS hands out twice is not used twice; VNC skips taken ports', async () => {
  const handedOut = [40_001, 40_001, 40_002, 40_003, 40_003, 40_004, 40_005];
  const busy = new Set([5900, 5901]);
  const probe: PortProbe = async (port) => (port === 0 ? handedOut.shift()! : busy.has(port) ? null : port);
  const { run, ...ports } = await pickLoopbackPorts(probe);
  assert.deepEqual(ports, { qmp: 40_001, spice: 40_002, serial: 40_003, guestAgent: 40_004, tpm: 40_005, vnc: 5902 });
  assert.match(run ?? '', /^[0-9a-f]{32}$/);
});

test('no free VNC port is a clear QEMU_FAILED, not a hang', async () => {
  let next = 50_000;
  const probe: PortProbe = async (port) => (port === 0 ? next++ : null);
  await assert.rejects(pickLoopbackPorts(probe), (e) => isOpenUtmError(e) && e.code === 'QEMU_FAILED' && /every VNC port from 5900 to 5999 is in use/.test(e.message));
});

test('the ports file round-trips; a missing, garbled or hostile one reads as "nothing listens"', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-ports-'));
  try {
    assert.deepEqual(readPortsFileSync(dir), NO_PORTS);
    const ports = { qmp: 1, spice: 2, vnc: 5900, serial: 3, guestAgent: 4, tpm: 5 };
    await writePortsFile(dir, ports);
    assert.deepEqual(readPortsFileSync(dir), ports);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, PORTS_FILE), 'utf8')), ports);
    await writeFile(path.join(dir, PORTS_FILE), '{"qmp":');
    assert.deepEqual(readPortsFileSync(dir), NO_PORTS);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(parsePortsFile(JSON.stringify({ ...NO_PORTS, qmp: 70_000 })), null, 'out of range');
  assert.equal(parsePortsFile(JSON.stringify({ ...NO_PORTS, host: '0.0.0.0' })), null, 'no other keys');
  assert.equal(parsePortsFile(JSON.stringify({ ...NO_PORTS, qmp: '1' })), null, 'numbers only');
});

test('Windows: QMP and serial on named pipes of the run, SPICE and VNC on the given loopback ports; POSIX: unix sockets', () => {
  const run = 'ffeeddccbbaa99887766554433221100';
  const ports = { qmp: 1, spice: 2, vnc: 5900, serial: 3, guestAgent: 4, tpm: 5, run };
  const win = runtimePathsFor('C:\\Users\\me\\AppData\\Local\\Temp\\openutm\\1a2b3c4d', 'vm1', 'win32', ports);
  assert.equal(win.dir, 'C:\\Users\\me\\AppData\\Local\\Temp\\openutm\\1a2b3c4d\\vm1');
  assert.equal(win.pidFile, `${win.dir}\\qemu.pid`);
  assert.deepEqual(win.qmp, { kind: 'pipe', name: `openutm-vm1-${run}-qmp`, path: `\\\\.\\pipe\\openutm-vm1-${run}-qmp` });
  assert.deepEqual(win.serial, { kind: 'pipe', name: `openutm-vm1-${run}-serial`, path: `\\\\.\\pipe\\openutm-vm1-${run}-serial` });
  assert.deepEqual(win.vnc, { kind: 'tcp', host: '127.0.0.1', port: 5900 });
  assert.deepEqual(win.spice, { kind: 'tcp', host: '127.0.0.1', port: 2 });
  const stopped = runtimePathsFor('C:\\t', 'vm1', 'win32', NO_PORTS);
  assert.deepEqual(stopped.serial, pipeEndpoint('vm1', NO_RUN, 'serial'), 'a stopped VM: a pipe no QEMU serves');
  assert.equal(pipeEndpoint('vm1', NO_RUN, 'serial').path, '\\\\.\\pipe\\openutm-vm1-stopped-serial');
  assert.deepEqual(stopped.spice, { kind: 'tcp', host: '127.0.0.1', port: 0 });
  // The Windows form tested on Linux (OPENUTM_QEMU_ENDPOINTS=tcp) stays on TCP: no pipes there.
  assert.deepEqual(runtimePathsFor('/tmp/x', 'vm1', 'linux', ports).qmp, { kind: 'tcp', host: '127.0.0.1', port: 1 });
  assert.deepEqual(runtimePathsFor('/tmp/openutm-501/1a2b3c4d', 'vm1', 'darwin').qmp, { kind: 'unix', path: '/tmp/openutm-501/1a2b3c4d/vm1/qmp.sock' });
});
