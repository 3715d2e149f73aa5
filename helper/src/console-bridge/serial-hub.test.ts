import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type net from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { vacantEndpoint } from '../runtime/testing/local-endpoint';
import { SerialHub, type SerialHubOptions, type SerialSink } from './serial-hub';
import { startUnixServer, type UnixServer } from './testing/bridge-harness';

const servers: UnixServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

// A stand-in for QEMU's serial chardev server.
async function serialServer(): Promise<UnixServer> {
  const s = await startUnixServer();
  servers.push(s);
  return s;
}

// A hub started against the stand-in QEMU, and QEMU's end of its connection.
async function connectedHub(server: UnixServer, options: SerialHubOptions): Promise<{ hub: SerialHub; guest: net.Socket }> {
  const hub = new SerialHub(server.endpoint, options);
  const qemu = server.nextConnection();
  await hub.start();
  return { hub, guest: await qemu };
}

function sink(): SerialSink & { text: () => string; chunks: string[]; closedWith: () => string | null } {
  const chunks: string[] = [];
  let closed: string | null = null;
  return {
    send: (chunk) => chunks.push(chunk.toString()),
    close: (reason) => (closed = reason),
    text: () => chunks.join(''),
    chunks,
    closedWith: () => closed,
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('fans guest output out to every console and keeps a scrollback for late ones', async () => {
  const server = await serialServer();
  const { hub, guest } = await connectedHub(server, { scrollbackBytes: 16, log: () => undefined });
  const early = sink();
  hub.subscribe(early);
  guest.write('boot messages\r\n');
  await until(() => early.text() === 'boot messages\r\n', 'the first console');
  guest.write('~ # ');
  await until(() => early.text().endsWith('~ # '), 'more output');
  const late = sink();
  hub.subscribe(late);
  assert.equal(late.chunks[0], 't messages\r\n~ # ', 'a late console starts with the last 16 bytes, in one chunk');
  assert.equal(early.chunks[0], '', 'the first chunk is the scrollback even when it is empty');
  guest.write('x');
  await until(() => late.text().endsWith('x') && early.text().endsWith('x'), 'both consoles');
  hub.stop();
});

test('writes every console’s input to the guest, text or bytes', async () => {
  const server = await serialServer();
  const { hub, guest } = await connectedHub(server, { log: () => undefined });
  let typed = '';
  guest.on('data', (d: Buffer) => (typed += d.toString()));
  hub.subscribe(sink()).write('ls\n');
  hub.subscribe(sink()).write(Buffer.from('üname\n'));
  await until(() => typed === 'ls\nüname\n', 'input at the guest');
  hub.stop();
});

test('seeds the scrollback from the serial log, for a helper that re-attaches', async () => {
  const server = await serialServer();
  const log = path.join(server.dir, 'serial.log');
  await writeFile(log, 'x'.repeat(100) + 'before the helper came back\r\n');
  const hub = new SerialHub(server.endpoint, { scrollbackBytes: 29, logFile: log, log: () => undefined });
  await hub.start();
  const s = sink();
  hub.subscribe(s);
  assert.equal(s.text(), 'before the helper came back\r\n');
  hub.stop();
});

test('reconnects when the serial socket drops while the VM runs', async () => {
  const server = await serialServer();
  const hub = new SerialHub(server.endpoint, { log: () => undefined, reconnectMaxDelayMs: 50 });
  let qemu: Promise<net.Socket> = server.nextConnection();
  await hub.start();
  const first = await qemu;
  const s = sink();
  hub.subscribe(s);
  qemu = server.nextConnection();
  first.destroy();
  const second = await qemu;
  second.write('after reconnect');
  await until(() => s.text() === 'after reconnect', 'output after the reconnect');
  assert.equal(s.closedWith(), null, 'consoles stay attached across the reconnect');
  hub.stop();
});

test('stop tells every console why, lets go of the socket, and refuses new consoles', async () => {
  const server = await serialServer();
  const { hub, guest } = await connectedHub(server, { log: () => undefined });
  const s = sink();
  hub.subscribe(s);
  const gone = once(guest, 'close');
  hub.stop('the VM stopped');
  await gone;
  assert.equal(s.closedWith(), 'the VM stopped');
  assert.equal(hub.connected, false);
  const late = sink();
  hub.subscribe(late);
  assert.match(late.closedWith() ?? '', /not running/);
});

test('start gives up waiting after its timeout when nothing listens, and keeps trying', async () => {
  const server = await serialServer();
  const missing = await vacantEndpoint(server.dir, 'not-yet.sock');
  const lines: string[] = [];
  const hub = new SerialHub(missing, { log: (l) => lines.push(l), reconnectMaxDelayMs: 20 });
  await hub.start(100);
  assert.equal(hub.connected, false);
  assert.match(lines.join('\n'), /still trying/);
  hub.stop();
});

test('keeps its own log of every byte received, and a later hub starts from it', async () => {
  const server = await serialServer();
  const log = path.join(server.dir, 'serial.log');
  const { hub, guest } = await connectedHub(server, { logFile: log, log: () => undefined });
  for (const part of ['boot ', 'ünïcode ', 'done\r\n']) guest.write(part);
  await until(() => hub.scrollback().toString() === 'boot ünïcode done\r\n', 'the output at the hub');
  assert.equal(await readFile(log, 'utf8'), 'boot ünïcode done\r\n', 'the log holds each byte once, in order');
  hub.stop();

  const next = new SerialHub(server.endpoint, { logFile: log, log: () => undefined });
  const again = server.nextConnection();
  await next.start();
  (await again).write('more\r\n');
  await until(() => next.scrollback().toString().endsWith('more\r\n'), 'output after the restart');
  assert.equal(next.scrollback().toString(), 'boot ünïcode done\r\nmore\r\n');
  assert.equal(await readFile(log, 'utf8'), 'boot ünïcode done\r\nmore\r\n');
  next.stop();
});

test('what QEMU logged while no hub was attached is taken over by the next hub, once', async () => {
  const server = await serialServer();
  const log = path.join(server.dir, 'serial.log');
  const qemuLog = path.join(server.dir, 'serial-qemu.log');
  const options = { logFile: log, qemuLogFile: qemuLog, log: () => undefined };
  await writeFile(qemuLog, '');
  const hub = new SerialHub(server.endpoint, options);
  const qemu = server.nextConnection();
  await hub.start();
  const guest = await qemu;
  await appendFile(qemuLog, 'seen by the hub\r\n');
  guest.write('seen by the hub\r\n');
  await until(() => hub.scrollback().length > 0, 'the output at the hub');
  hub.stop('the helper is shutting down');
  await appendFile(qemuLog, 'while away\r\n');

  const back = new SerialHub(server.endpoint, options);
  await back.start();
  assert.equal(back.scrollback().toString(), 'seen by the hub\r\nwhile away\r\n');
  assert.equal(await readFile(log, 'utf8'), 'seen by the hub\r\nwhile away\r\n');
  back.stop();
  const third = new SerialHub(server.endpoint, options);
  await third.start();
  assert.equal(await readFile(log, 'utf8'), 'seen by the hub\r\nwhile away\r\n', 'nothing is taken over twice');
  third.stop();
});

test('finish takes in what QEMU wrote before it went, then tells the consoles', async () => {
  const server = await serialServer();
  const log = path.join(server.dir, 'serial.log');
  const { hub, guest } = await connectedHub(server, { logFile: log, log: () => undefined });
  const s = sink();
  hub.subscribe(s);
  guest.end('Kernel panic - last words\r\n');
  await hub.finish('the VM crashed');
  assert.match(await readFile(log, 'utf8'), /last words/);
  assert.match(s.text(), /last words/);
  assert.equal(s.closedWith(), 'the VM crashed');
});

test('a VM whose QEMU writes the serial log itself (started by an older helper) does not get it twice', async () => {
  const server = await serialServer();
  const log = path.join(server.dir, 'serial.log');
  const lines: string[] = [];
  const hub = new SerialHub(server.endpoint, { logFile: log, qemuLogFile: path.join(server.dir, 'serial-qemu.log'), log: (l) => lines.push(l) });
  const qemu = server.nextConnection();
  await writeFile(log, 'boot\r\n');
  await hub.start();
  const guest = await qemu;
  await appendFile(log, 'shell\r\n'); // QEMU's own write
  guest.write('shell\r\n');
  await until(() => hub.scrollback().toString() === 'boot\r\nshell\r\n', 'the output at the hub');
  assert.equal(await readFile(log, 'utf8'), 'boot\r\nshell\r\n');
  assert.match(lines.join('\n'), /older helper/);
  hub.stop();
});
