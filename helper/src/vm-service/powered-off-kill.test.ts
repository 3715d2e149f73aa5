// Regression: shutting down took ~30 s after the guest had powered off, because QEMU's `quit`
// waited on spice-server (wait_all_sent) while a SPICE console was open. A QEMU that does not
// answer quit is played by a real child process that ignores everything but SIGKILL, behind a
// scripted monitor that closes when the process ends (as QEMU's does).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { VmStatus } from '@openutm/shared';
import { FakeQmpPeer, type PeerConnection } from '../qmp/fake-qmp-peer';
import { QmpClient } from '../qmp/qmp-client';
import { VmSupervisor } from './vm-supervisor';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'powered-off-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A running VM whose "QEMU" never answers quit; the monitor closes only when the process dies.
async function stuckQemu(graceMs: number): Promise<{ sup: VmSupervisor; conn: PeerConnection; child: ChildProcess; close: () => Promise<void> }> {
  const peer = await FakeQmpPeer.listen(dir);
  // node:child_process, not execa: the test needs the raw exit signal of a process it never awaits.
  const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"], { stdio: 'ignore' });
  await once(child, 'spawn');
  const clientReady = QmpClient.connect(peer.endpoint);
  const conn = await peer.nextConnection();
  const qmp = await clientReady;
  child.once('exit', () => conn.socket.destroy());
  const sup = new VmSupervisor('vm1', 'Stuck', 'stopped', null, {
    onExit: async () => null,
    onChange: (_: VmStatus) => undefined,
    poweredOffGraceMs: graceMs,
  });
  sup.attach(qmp, child.pid ?? null);
  sup.dispatch({ type: 'attached', qmpStatus: 'running' });
  return {
    sup,
    conn,
    child,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await qmp.close();
      await peer.close();
    },
  };
}

test('after the guest powers off, a QEMU stuck in quit is killed after the grace and the VM is stopped, not crashed', async () => {
  const { sup, conn, child, close } = await stuckQemu(300);
  try {
    const t0 = Date.now();
    conn.send({ event: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' }, timestamp: { seconds: 0, microseconds: 0 } });
    // The supervisor's own query on attach (where the guest's agent port stands) comes first.
    let command = await conn.nextCommand();
    while (command.execute === 'query-chardev') command = await conn.nextCommand();
    assert.equal(command.execute, 'quit', 'the helper asks QEMU to quit first');
    // Without the kill QEMU would hang on: the VM would stay "stopping" and this would time out.
    await sup.waitFor((s) => s === 'stopped' || s === 'crashed', 10_000, 'stop after the guest powered off');
    console.log(`stopped ${Date.now() - t0} ms after the guest's SHUTDOWN (grace 300 ms)`);
    assert.equal(sup.state, 'stopped');
    assert.equal(sup.status().lastShutdown, 'guest-shutdown');
    assert.equal(child.signalCode, 'SIGKILL');
  } finally {
    await close();
  }
});

test('a quit the host asked for (no guest power-off) is not cut short by the power-off grace', async () => {
  const { sup, conn, child, close } = await stuckQemu(100);
  try {
    conn.send({ event: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' }, timestamp: { seconds: 0, microseconds: 0 } });
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(child.exitCode, null);
    assert.equal(child.signalCode, null, 'QEMU still runs: only a guest that powered off has nothing left to flush');
    assert.equal(sup.state, 'stopping');
  } finally {
    await close();
  }
});
