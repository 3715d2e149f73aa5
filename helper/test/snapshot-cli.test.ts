import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SnapshotInfo, SnapshotList, VmStatus, VmSummary } from '@openutm/shared';
import { REPO_ROOT } from './support/test-guest';
import { freePort } from './support/free-port';
import { stopLibraryHelper } from './support/library-helper';

// `openutm snapshot …` from separate CLI processes against the real helper, on a shut-down VM
// (qemu-img does the work, so no guest boots here; helper/test/snapshots.test.ts boots one).
const BUNDLE = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');
let home: string;
let port: number;

function openutm(...args: string[]): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, OPENUTM_HOME: home, OPENUTM_PORT: String(port), OPENUTM_ACCEL: 'tcg' };
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(schema: { parse(v: unknown): T }, ...args: string[]): T {
  const r = openutm(...args, '--json');
  assert.equal(r.code, 0, `openutm ${args.join(' ')} failed: ${r.stderr}`);
  return schema.parse(JSON.parse(r.stdout));
}

before(async () => {
  assert.ok(existsSync(BUNDLE), 'npm test builds the helper bundle before the tests');
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-snapcli-'));
  port = await freePort();
});
after(async () => {
  await stopLibraryHelper(home);
  await rm(home, { recursive: true, force: true });
});

test('snapshot save, list, restore, delete with --json; raw disks are refused with the way out, and convert opens it', () => {
  json(VmSummary, 'create', '--name', 'snap cli', '--preset', 'linux-server', '--disk', '64M');
  const saved = json(SnapshotInfo, 'snapshot', 'save', 'snap cli', 'clean', '--notes', 'fresh disk');
  assert.equal(saved.memory, false);
  json(SnapshotInfo, 'snapshot', 'save', 'snap cli', 'second');
  const list = json(SnapshotList, 'snapshot', 'list', 'snap cli');
  assert.deepEqual(list.snapshots.map((s) => [s.name, s.notes]), [['clean', 'fresh disk'], ['second', '']]);
  assert.equal(list.current, list.snapshots[1]!.tag);
  const text = openutm('snapshot', 'list', 'snap cli');
  assert.match(text.stdout, /^\* second /m, 'the human list marks the current one');
  const restored = json(VmStatus, 'snapshot', 'restore', 'snap cli', 'clean');
  assert.equal(restored.state, 'stopped');
  assert.equal(json(SnapshotList, 'snapshot', 'list', 'snap cli').current, saved.tag);
  const after = json(SnapshotList, 'snapshot', 'delete', 'snap cli', 'second');
  assert.deepEqual(after.snapshots.map((s) => s.name), ['clean']);
  const missing = openutm('snapshot', 'restore', 'snap cli', 'second', '--json');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /NOT_FOUND/);
  const usage = openutm('snapshot', 'save', 'snap cli');
  assert.notEqual(usage.code, 0);
  assert.match(usage.stderr, /openutm snapshot save <vm> <name>/);

  json(VmSummary, 'edit', 'snap cli', '--add-disk', '16M,raw');
  const blocked = json(SnapshotList, 'snapshot', 'list', 'snap cli');
  assert.equal(blocked.blocker?.fix?.kind, 'convert-disks');
  const refused = openutm('snapshot', 'save', 'snap cli', 'third', '--json');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /raw disk image.*convert/s);
  const converted = json(VmSummary, 'snapshot', 'convert', 'snap cli');
  assert.deepEqual(converted.config.disks.map((d) => d.format), ['qcow2', 'qcow2']);
  assert.equal(converted.config.detachedDisks.length, 1, 'the raw image stays, detached');
  assert.equal(json(SnapshotList, 'snapshot', 'list', 'snap cli').blocker, null);
  json(SnapshotInfo, 'snapshot', 'save', 'snap cli', 'third');
});
