import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isOpenUtmError } from '@openutm/shared';
import { QgaClient } from './qga-client';
import { guestExec, readGuestFacts } from './guest-commands';
import { pullFile, pushFile } from './guest-files';

// The real QEMU guest agent, run on the host on a unix socket (`-m unix-listen`): the same
// program a guest runs, answering about this host. Debian's qemu-guest-agent package.
const QEMU_GA = ['/usr/sbin/qemu-ga', '/usr/bin/qemu-ga'].find((p) => existsSync(p));

let dir: string;
let agent: ChildProcess | null = null;
let socketPath: string;

async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(20);
}

describe('QgaClient against a real qemu-ga', { skip: QEMU_GA === undefined ? 'qemu-ga is not installed (apt-get install qemu-guest-agent)' : false }, () => {
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-qga-'));
    socketPath = path.join(dir, 'qga.sock');
    agent = spawn(QEMU_GA!, ['-m', 'unix-listen', '-p', socketPath, '-t', dir, '-f', path.join(dir, 'qga.pid')], { stdio: 'ignore' });
    await until(() => existsSync(socketPath));
  });
  after(async () => {
    agent?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  test('a half request left by an earlier client does not break the next: the sync clears it', async () => {
    const stale = net.createConnection({ path: socketPath });
    await new Promise((r) => stale.once('connect', r));
    stale.write('{"execute": "guest-get-host-name", "argum');
    await new Promise<void>((r) => stale.end(() => r()));
    const qga = await QgaClient.connect({ kind: 'unix', path: socketPath });
    try {
      const facts = await readGuestFacts(qga, { all: false });
      assert.equal(facts.hostname, os.hostname());
      const all = await readGuestFacts(qga, { all: true });
      assert.ok(all.ips.some((ip) => ip.address === '127.0.0.1'), 'all: true keeps loopback');
      assert.ok(!facts.ips.some((ip) => ip.address === '127.0.0.1'), 'loopback is left out by default');
    } finally {
      qga.close();
    }
  });

  test('exec returns output, stderr and the exit code; stdin goes in', async () => {
    const qga = await QgaClient.connect({ kind: 'unix', path: socketPath });
    try {
      const r = await guestExec(qga, { path: 'sh', args: ['-c', 'echo out; echo err >&2; exit 3'], timeoutMs: 10_000 });
      assert.deepEqual({ ...r, stdout: Buffer.from(r.stdout, 'base64').toString(), stderr: Buffer.from(r.stderr, 'base64').toString() }, {
        exitCode: 3,
        signal: null,
        stdout: 'out\n',
        stderr: 'err\n',
        truncated: false,
      });
      const piped = await guestExec(qga, { path: 'cat', args: [], stdin: Buffer.from('through stdin').toString('base64'), timeoutMs: 10_000 });
      assert.equal(Buffer.from(piped.stdout, 'base64').toString(), 'through stdin');
      await assert.rejects(guestExec(qga, { path: 'sleep', args: ['5'], timeoutMs: 300 }), (e) => isOpenUtmError(e) && e.code === 'GUEST_AGENT_FAILED' && /still running/.test(e.message));
      await assert.rejects(guestExec(qga, { path: '/nonexistent/program', args: [], timeoutMs: 5_000 }), (e) => isOpenUtmError(e) && e.code === 'GUEST_AGENT_FAILED');
    } finally {
      qga.close();
    }
  });

  test('push then pull a file of several chunks: same bytes, same sha256, progress to the end', async () => {
    const qga = await QgaClient.connect({ kind: 'unix', path: socketPath });
    try {
      const data = randomBytes(300 * 1024 + 7);
      const source = path.join(dir, 'source.bin');
      await writeFile(source, data);
      const steps: number[] = [];
      const pushed = await pushFile(qga, source, path.join(dir, 'in-guest.bin'), (done) => steps.push(done));
      const sha = createHash('sha256').update(data).digest('hex');
      assert.deepEqual(pushed, { bytes: data.length, sha256: sha });
      assert.equal(steps.at(-1), data.length);
      const back = path.join(dir, 'back.bin');
      const pulled = await pullFile(qga, path.join(dir, 'in-guest.bin'), back, { overwrite: false }, () => undefined);
      assert.deepEqual(pulled, { bytes: data.length, sha256: sha });
      assert.ok((await readFile(back)).equals(data));
      // A pull over an existing file is refused and leaves it (and no partial file) alone.
      await assert.rejects(pullFile(qga, path.join(dir, 'in-guest.bin'), source, { overwrite: false }, () => undefined), (e) => isOpenUtmError(e) && e.code === 'CONFLICT');
      assert.ok((await readFile(source)).equals(data));
      await assert.rejects(pullFile(qga, path.join(dir, 'missing.bin'), path.join(dir, 'x.bin'), { overwrite: false }, () => undefined), (e) => isOpenUtmError(e) && e.code === 'GUEST_AGENT_FAILED');
      assert.equal(existsSync(path.join(dir, 'x.bin')), false);
    } finally {
      qga.close();
    }
  });
});

test('a socket where nothing answers (no agent in the guest): a sync led by the sentinel, then GUEST_AGENT_ABSENT naming what to install', async () => {
  const sockDir = await mkdtemp(path.join(os.tmpdir(), 'openutm-qga-silent-'));
  const received: Buffer[] = [];
  const server = net.createServer((s) => s.on('data', (d) => received.push(d)));
  await new Promise<void>((r) => server.listen(path.join(sockDir, 'qga.sock'), r));
  const qga = await QgaClient.connect({ kind: 'unix', path: path.join(sockDir, 'qga.sock') }, { syncTimeoutMs: 200 });
  try {
    await assert.rejects(qga.ping(), (e) => isOpenUtmError(e) && e.code === 'GUEST_AGENT_ABSENT' && /install qemu-guest-agent/.test(e.message));
    await until(() => received.length > 0);
    const first = Buffer.concat(received);
    assert.equal(first[0], 0xff, 'a sync starts with the sentinel');
    assert.match(first.subarray(1).toString(), /"guest-sync-delimited"/);
  } finally {
    qga.close();
    server.close();
    await rm(sockDir, { recursive: true, force: true });
  }
});
