import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isOpenUtmError } from '@openutm/shared';
import { QmpClient } from '../qmp/qmp-client';
import { FAKE_GREETING } from '../qmp/fake-qmp-peer';
import type { PipeEndpoint } from '../runtime/pipe-names';
import { newPipeRun, pipeName } from '../runtime/pipe-names';
import { runtimePathsFor, type RuntimePaths } from '../runtime/runtime-paths';
import { SerialHubs } from './serial-hubs';
import { unresponsiveQemu } from './crash-log';

// QMP and the serial port over Windows named pipes, against a stand-in that behaves as QEMU's
// pipe chardev does (chardev/char-pipe.c): each pipe is created in turn, serial first, and QEMU
// waits at each until one client opens it, serves that client only, and creates its monitor
// (and greets) only once every pipe is taken. On Windows the stand-in serves real named pipes
// (\\.\pipe\…); elsewhere unix sockets, which the helper's client opens through the very same
// code (net.connect by path).

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-pipes-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function endpoint(name: string): PipeEndpoint {
  return { kind: 'pipe', name, path: process.platform === 'win32' ? `\\\\.\\pipe\\${name}` : path.join(dir, name) };
}

// One pipe: listens, takes the first client, and then listens no more.
function servePipeOnce(where: PipeEndpoint): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      server.close();
      resolve(socket);
    });
    server.once('error', reject);
    server.listen(where.path);
  });
}

// QEMU with `-chardev pipe` for serial and QMP: serial's pipe first; the monitor's appears only
// once serial has its client; the greeting, framed with CRLF, once QMP has its own.
class PipeQemu {
  readonly serial: PipeEndpoint;
  readonly qmp: PipeEndpoint;
  serialSocket: net.Socket | null = null;
  readonly commands: string[] = [];
  readonly done: Promise<void>;

  constructor(vmId: string) {
    const run = newPipeRun();
    this.serial = endpoint(pipeName(vmId, run, 'serial'));
    this.qmp = endpoint(pipeName(vmId, run, 'qmp'));
    this.done = this.run();
  }

  private async run(): Promise<void> {
    this.serialSocket = await servePipeOnce(this.serial);
    this.serialSocket.on('error', () => undefined);
    const monitor = await servePipeOnce(this.qmp);
    monitor.on('error', () => undefined);
    monitor.setEncoding('utf8');
    let buffer = '';
    monitor.on('data', (text: string) => {
      buffer += text;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const command = JSON.parse(buffer.slice(0, nl)) as { execute: string; id: unknown };
        buffer = buffer.slice(nl + 1);
        this.commands.push(command.execute);
        if (command.execute === 'qmp_capabilities') monitor.write(`{"return": {}, "id": ${JSON.stringify(command.id)}}\r\n`);
        if (command.execute === 'query-status') {
          // One reply cut in two writes, then an event and nothing else merged into one.
          const reply = `{"return": {"status": "prelaunch", "singlestep": false, "running": false}, "id": ${JSON.stringify(command.id)}}\r\n`;
          monitor.write(reply.slice(0, 17));
          setImmediate(() => {
            monitor.write(`${reply.slice(17)}{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME"}\r\n`);
            this.serialSocket?.write('guest says hello\r\n');
          });
        }
      }
    });
    monitor.write(`${JSON.stringify(FAKE_GREETING)}\r\n`);
  }
}

function pathsWith(qemu: PipeQemu): RuntimePaths {
  const base = runtimePathsFor(dir, 'vm1pipes', 'linux');
  return { ...base, qmp: qemu.qmp, serial: qemu.serial, serialLog: path.join(dir, 'serial.log'), serialQemuLog: path.join(dir, 'serial-qemu.log') };
}

test('the serial pipe is opened first, then QMP over its pipe: greeting, capabilities, split and merged replies, events, guest output', async () => {
  const qemu = new PipeQemu('vm1pipes');
  const paths = pathsWith(qemu);
  const hubs = new SerialHubs();
  try {
    hubs.open('vm1pipes', paths);
    const qmp = await QmpClient.connect(paths.qmp, { retry: true, timeoutMs: 30_000 });
    await hubs.start('vm1pipes', paths, qmp);
    const events: string[] = [];
    qmp.onEvent((e) => events.push(e.event));
    const status = await qmp.queryStatus();
    assert.deepEqual({ status: status.status, running: status.running }, { status: 'prelaunch', running: false });
    const hub = hubs.get('vm1pipes');
    assert.ok(hub, 'the hub opened before QMP is the one kept');
    while (!hub.scrollback().toString().includes('guest says hello') || events.length === 0) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(events, ['RESUME']);
    assert.deepEqual(qemu.commands, ['qmp_capabilities', 'query-status']);
    qmp.close();
  } finally {
    hubs.stopAll('test over');
    await qemu.done.catch(() => undefined);
  }
});

test('without the serial side first, QEMU never creates its monitor: QMP alone waits in vain', async () => {
  const qemu = new PipeQemu('vm2pipes');
  try {
    await assert.rejects(QmpClient.connect(qemu.qmp, { retry: true, timeoutMs: 500 }), (e: unknown) => {
      assert.ok(isOpenUtmError(e), String(e));
      assert.equal(e.code, 'QMP_CLOSED');
      assert.match(e.message, new RegExp(`${qemu.qmp.name}`));
      return true;
    });
  } finally {
    // Lets the stand-in finish, so nothing is left listening.
    const serial = net.createConnection({ path: qemu.serial.path });
    serial.on('error', () => undefined);
    const monitor = await new Promise<net.Socket>((resolve) => {
      const tryQmp = () => {
        const s = net.createConnection({ path: qemu.qmp.path }, () => resolve(s));
        s.on('error', () => setTimeout(tryQmp, 10));
      };
      tryQmp();
    });
    monitor.destroy();
    serial.destroy();
    await qemu.done;
  }
});

test('a second helper finds the monitor pipe taken for good, and the VM is left running with a note that says why', async () => {
  const qemu = new PipeQemu('vm3pipes');
  const paths = pathsWith(qemu);
  const hubs = new SerialHubs();
  try {
    hubs.open('vm3pipes', paths);
    const first = await QmpClient.connect(paths.qmp, { retry: true, timeoutMs: 30_000 });
    await hubs.start('vm3pipes', paths, first);
    // The helper that started QEMU goes; QEMU never listens on that pipe again.
    first.close();
    await assert.rejects(QmpClient.connect(paths.qmp, { timeoutMs: 3_000 }), (e: unknown) => isOpenUtmError(e) && e.code === 'QMP_CLOSED');
    const note = await unresponsiveQemu(4242, path.join(dir, 'no-such-qemu.log'), paths.qmp.kind === 'pipe');
    assert.match(note.reason, /named pipe that QEMU serves only to the helper that started it/);
    assert.match(note.reason, /taskkill \/PID 4242 \/F/);
  } finally {
    hubs.stopAll('test over');
    await qemu.done.catch(() => undefined);
  }
});
