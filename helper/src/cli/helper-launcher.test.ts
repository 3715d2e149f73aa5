import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenUtmError } from '@openutm/shared';
import { isHelperUnreachable } from '../api-client/client-errors';
import { helperLogPath, isListening, launchHelper, type HelperCommand } from './helper-launcher';
import { freePort } from '../../test/support/free-port';

let root: string;
let port: number;
const children: number[] = [];
const servers: Server[] = [];

// The least environment a child Node runs in: nothing on POSIX; on Windows SystemRoot and the
// temp folders, without which it cannot even open a socket (Winsock loads its providers there).
const WINDOWS_ESSENTIALS = new Set(['SYSTEMROOT', 'WINDIR', 'TEMP', 'TMP']);
const HOST_ENV = process.platform === 'win32' ? Object.fromEntries(Object.entries(process.env).filter(([k]) => WINDOWS_ESSENTIALS.has(k.toUpperCase()))) : {};

// A tiny stand-in for `openutm serve`, as a script file in the test's folder.
function standIn(name: string, source: string): HelperCommand {
  const file = path.join(root, `${name}.mjs`);
  writeFileSync(file, source);
  return { argv: [process.execPath, file], cwd: root };
}

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'openutm-launch-'));
  port = await freePort();
});
afterEach(async () => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  rmSync(root, { recursive: true, force: true });
});

async function launchFails(command: HelperCommand, timeoutMs = 10_000): Promise<OpenUtmError> {
  try {
    children.push(await launchHelper({ root, port, env: HOST_ENV, command, timeoutMs }));
  } catch (e) {
    assert.ok(e instanceof OpenUtmError);
    if (typeof e.details?.pid === 'number') children.push(e.details.pid);
    return e;
  }
  assert.fail('the launch should have failed');
}

test('starts the helper detached, waits until it listens, and logs its output', async () => {
  const command = standIn(
    'listens',
    `import net from 'node:net';
     console.log('home=' + process.env.OPENUTM_HOME + ' port=' + process.env.OPENUTM_PORT + ' cwd=' + process.cwd());
     net.createServer().listen(Number(process.env.OPENUTM_PORT), '127.0.0.1');`,
  );
  const pid = await launchHelper({ root, port, env: { ...HOST_ENV, OPENUTM_HOME: 'relative/path' }, command });
  children.push(pid);
  assert.ok(pid > 0);
  assert.equal(await isListening(port), true);
  const log = readFileSync(helperLogPath(root), 'utf8');
  assert.match(log, /--- .* starting the helper for the openutm CLI/);
  // The stand-in wrote its first line before it listened, so it is in the log by now.
  assert.match(log, new RegExp(`home=${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} port=${port} cwd=`));
});

test('a helper that stops at once: the error quotes the log', async () => {
  const e = await launchFails(standIn('crashes', `console.error('LIBRARY_LOCKED: boom, cannot start'); process.exit(3);`));
  assert.ok(isHelperUnreachable(e));
  assert.match(e.message, /stopped at once \(exit code 3\)/);
  assert.match(e.message, /│ LIBRARY_LOCKED: boom, cannot start/);
});

test('a helper that never listens: bounded wait, then the log', async () => {
  // The bound must cover a child Node's start on a loaded machine (it logs before it is timed).
  const e = await launchFails(standIn('silent', `console.log('thinking…'); setTimeout(() => {}, 60_000);`), 3_000);
  assert.match(e.message, /did not accept connections on port \d+ within 3 s; it may still be starting/);
  assert.match(e.message, /│ thinking…/);
});

test('losing a start race to another helper is fine: it waits for the winner', async () => {
  // The library's lock names a live process (this one): another helper is starting.
  writeFileSync(path.join(root, '.lock'), JSON.stringify({ pid: process.pid, hostname: os.hostname() }));
  const marker = path.join(root, 'exited');
  const command = standIn('loses', `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(1);`);
  const launched = launchHelper({ root, port, env: HOST_ENV, command });
  while (!existsSync(marker)) await sleep(20);
  await sleep(150); // past at least one poll that saw the exit
  const winner = createServer();
  servers.push(winner);
  await new Promise<void>((r) => winner.listen(port, '127.0.0.1', r));
  assert.ok((await launched) > 0);
});
