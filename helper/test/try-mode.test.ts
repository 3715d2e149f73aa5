import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmStatus, VmSummary } from '@openutm/shared';
import { isAlive } from '../src/qemu-process/process-control';
import { defaultRuntimeRoot, runtimePathsFor } from '../src/runtime/runtime-paths';
import { vmFolder } from '../src/vm-library/library-paths';
import { kernelGuestRequest, REPO_ROOT, testGuest } from './support/test-guest';
import { waitForPrompt, waitForText } from './support/wait';
import { freePort } from './support/free-port';
import { libraryHelperPid } from './support/library-helper';

// Try mode end to end, as a person uses it: the CLI (each call its own process) against the
// real helper bundle, which it starts in the background, a real QEMU booting the test guest,
// and the helper killed with SIGKILL in the middle. The library path has a comma, spaces and
// unicode, which QEMU's options and qemu-img's backing names must both survive.
const BUNDLE = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');
const SECTOR = 2048; // the guest writes its marker 1 MiB into each disk
let home: string;
let port: number;
let id: string;
let folder: string;

function openutm(...args: string[]): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, OPENUTM_HOME: home, OPENUTM_PORT: String(port), OPENUTM_ACCEL: 'tcg' };
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(schema: { parse(v: unknown): T }, ...args: string[]): T {
  const r = openutm(...args, '--json');
  assert.equal(r.code, 0, `openutm ${args.join(' ')} failed: ${r.stderr}`);
  return schema.parse(JSON.parse(r.stdout));
}

function helperPid(): number | null {
  return libraryHelperPid(home);
}

async function killHelper(): Promise<void> {
  const pid = helperPid();
  assert.ok(pid !== null && isAlive(pid), 'a helper owns the library');
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

const disks = () => ({ qcow2: path.join(folder, 'disk0.qcow2'), raw: path.join(folder, 'disk1.img') });

async function hashes(): Promise<Record<string, string>> {
  const d = disks();
  const h = async (f: string) => createHash('sha256').update(await readFile(f)).digest('hex');
  return { qcow2: await h(d.qcow2), raw: await h(d.raw) };
}

// The guest's sector at 1 MiB of each real disk, as text (qcow2 read through qemu-img).
function markers(): { qcow2: string; raw: string } {
  const d = disks();
  const out = path.join(folder, '..', 'disk0-as-raw.img');
  execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', '--', d.qcow2, out]);
  const sector = (file: string) => readFileSync(file).subarray(SECTOR * 512, SECTOR * 512 + 512).toString('latin1').replace(/\0.*$/s, '');
  return { qcow2: sector(out), raw: sector(d.raw) };
}

async function tryFiles(): Promise<string[]> {
  return (await readdir(folder)).filter((f) => f.startsWith('try') || f.includes('.try.'));
}

// Boots the VM in try mode and has the guest write a marker into each disk (then sync).
async function tryAndWrite(word: string): Promise<void> {
  const started = json(VmStatus, 'start', id, '--try');
  assert.equal(started.tryMode, 'active');
  const serialLog = runtimePathsFor(defaultRuntimeRoot(home), id, 'linux').serialLog;
  await waitForPrompt(serialLog, testGuest().marker, '# ', 180_000);
  const line = `for d in vda vdb; do printf '${word}-%s' $d | dd of=/dev/$d bs=512 seek=${SECTOR} conv=notrunc 2>/dev/null; done; sync; echo wrote-$((40+2))-${word}`;
  assert.equal(openutm('type', id, '--serial', `${line}\n`).code, 0);
  await waitForText(serialLog, `wrote-42-${word}`, 120_000);
}

before(async () => {
  assert.ok(existsSync(BUNDLE), 'npm test builds the helper bundle before the tests');
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm try, ü é '));
  port = await freePort();
  const g = kernelGuestRequest('try');
  const created = json(VmSummary, 'create', '--name', 'Try, me ü', '--preset', 'linux-server', '--disk', '16M', '--memory', '256M', '--cpus', '1',
    '--firmware', 'bios', '--network', 'none', '--kernel', g.linuxBoot!.kernel, '--initrd', g.linuxBoot!.initrd!, '--append', g.linuxBoot!.cmdline!);
  id = created.config.id;
  folder = vmFolder(home, id);
  const edited = json(VmSummary, 'edit', id, '--add-disk', '8M,raw,virtio');
  assert.deepEqual(edited.config.disks.map((d) => d.file), ['disk0.qcow2', 'disk1.img']);
});

after(async () => {
  openutm('kill', id);
  const pid = helperPid();
  if (pid !== null && isAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    while (isAlive(pid)) await sleep(50);
  }
  await rm(home, { recursive: true, force: true });
});

test('a try survives a helper killed with SIGKILL (running and pending), then Keep puts the guest\'s writes on the real disks', async () => {
  const before = await hashes();
  await tryAndWrite('KEEP');
  assert.deepEqual(await hashes(), before, 'while trying, the real disks are untouched');
  assert.deepEqual((await tryFiles()).sort(), ['try-disk0.qcow2', 'try-disk1.qcow2', 'try.json']);

  await killHelper();
  // The next CLI call starts a new helper, which re-attaches to the running try.
  const reattached = json(VmSummary, 'show', id);
  assert.equal(reattached.status.state, 'running');
  assert.equal(reattached.status.tryMode, 'active');
  const stopped = json(VmStatus, 'stop', id, '--timeout', '120');
  assert.equal(stopped.state, 'stopped');
  assert.equal(stopped.tryMode, 'pending');

  const refused = openutm('start', id);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /TRY_PENDING/);
  assert.match(refused.stderr, /openutm try keep/);
  assert.equal(openutm('try', 'maybe', id).code, 2, 'an unknown choice is a usage error');

  await killHelper();
  const listed = json({ parse: (v) => v as Array<{ config: { id: string }; status: { tryMode?: string | null } }> }, 'list');
  assert.equal(listed.find((v) => v.config.id === id)?.status.tryMode, 'pending', 'the choice is offered again after the restart');
  assert.deepEqual(await hashes(), before);

  const kept = json(VmStatus, 'try', 'keep', id);
  assert.equal(kept.tryMode, null);
  assert.deepEqual(markers(), { qcow2: 'KEEP-vda', raw: 'KEEP-vdb' });
  assert.deepEqual(await tryFiles(), []);
});

test('a try whose QEMU and helper both die is pending after the restart, and Discard leaves every disk byte-identical', async () => {
  const before = await hashes();
  await tryAndWrite('DROP');
  const qemuPid = json(VmSummary, 'show', id).status.pid;
  assert.ok(qemuPid);
  await killHelper();
  process.kill(qemuPid, 'SIGKILL');
  while (isAlive(qemuPid)) await sleep(50);

  const after = json(VmSummary, 'show', id);
  assert.equal(after.status.state, 'crashed');
  assert.equal(after.status.tryMode, 'pending');
  const discarded = json(VmStatus, 'try', 'discard', id);
  assert.equal(discarded.tryMode, null);
  assert.deepEqual(await hashes(), before, 'byte-identical to before the try');
  assert.deepEqual(markers(), { qcow2: 'KEEP-vda', raw: 'KEEP-vdb' }, 'the kept try from before is still there');
  assert.deepEqual(await tryFiles(), []);
  const again = openutm('try', 'discard', id);
  assert.equal(again.code, 1, 'nothing left to discard');
  assert.match(again.stderr, /no try/);
});
