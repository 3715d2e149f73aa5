import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { HostFacts, VmStatus, VmSummary } from '@openutm/shared';
import { isAlive } from '../src/qemu-process/process-control';
import { defaultRuntimeRoot, runtimePathsFor } from '../src/runtime/runtime-paths';
import { testGuest, REPO_ROOT } from './support/test-guest';
import { waitForText } from './support/wait';

const BUNDLE = path.join(REPO_ROOT, 'helper/dist/openutm.mjs');
const guest = testGuest();
let home: string;

// Each call is a separate helper process, exactly as a person runs the CLI.
function openutm(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], {
    env: { ...process.env, OPENUTM_HOME: home, OPENUTM_ACCEL: 'tcg' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(schema: { parse(v: unknown): T }, ...args: string[]): T {
  const r = openutm(...args, '--json');
  assert.equal(r.code, 0, `openutm ${args.join(' ')} failed: ${r.stderr}`);
  return schema.parse(JSON.parse(r.stdout));
}

before(async () => {
  assert.ok(existsSync(BUNDLE), 'npm test builds the helper bundle before the tests');
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-cli-'));
});
after(async () => {
  const list = openutm('list', '--json');
  if (list.code === 0) for (const vm of JSON.parse(list.stdout) as Array<{ config: { id: string } }>) openutm('kill', vm.config.id);
  await rm(home, { recursive: true, force: true });
});

describe('openutm CLI', () => {
  test('--version names the helper and protocol versions', () => {
    const v = json({ parse: (x) => x as { helper: string; protocol: number } }, '--version');
    assert.match(v.helper, /^\d+\.\d+\.\d+/);
    assert.equal(typeof v.protocol, 'number');
  });

  test('doctor finds QEMU and TCG on this machine', () => {
    const facts = json(HostFacts, 'doctor');
    assert.ok(facts.qemu.some((q) => q.architecture === 'x86_64'));
    assert.ok(facts.accelerators.includes('tcg'));
    const human = openutm('doctor');
    assert.match(human.stdout, /QEMU/);
  });

  test('usage mistakes exit 2 with a hint; unknown VMs exit 1 with a code', () => {
    const noName = openutm('create');
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /--name/);
    const badFlag = openutm('list', '--bogus');
    assert.equal(badFlag.code, 2);
    const missing = openutm('start', 'no-such-vm');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_FOUND/);
    const badSize = openutm('create', '--name', 'x', '--memory', 'lots');
    assert.equal(badSize.code, 2);
    assert.match(badSize.stderr, /512M/);
  });

  test('create, start, stop across separate processes: each re-attaches to the running VM', () => {
    const vm = json(
      VmSummary,
      'create',
      '--name', 'cli guest',
      '--preset', 'linux-server',
      '--firmware', 'bios',
      '--memory', '256M',
      '--cpus', '1',
      '--disk', 'none',
      '--kernel', guest.kernel,
      '--initrd', guest.initrd,
      '--append', guest.cmdline,
    );
    assert.equal(vm.status.state, 'stopped');
    const started = json(VmStatus, 'start', 'cli guest');
    assert.equal(started.state, 'running');
    assert.ok(started.pid && isAlive(started.pid), 'QEMU outlives the CLI process that started it');
    const shown = json(VmSummary, 'show', vm.config.id);
    assert.equal(shown.status.state, 'running');
    assert.equal(shown.status.pid, started.pid);
    assert.equal(json(VmStatus, 'pause', 'cli guest').state, 'paused');
    assert.equal(json(VmStatus, 'resume', 'cli guest').state, 'running');
    const forced = json(VmStatus, 'stop', 'cli guest', '--force');
    assert.equal(forced.state, 'stopped');
    assert.equal(forced.lastShutdown, 'host-qmp-quit');
    assert.equal(isAlive(started.pid), false);
  });

  test('a helper killed with SIGKILL loses nothing: the next one stops the VM it left running', async () => {
    const started = json(VmStatus, 'start', 'cli guest');
    // Boot to the shell first, so the ACPI power button has acpid listening for it.
    await waitForText(runtimePathsFor(defaultRuntimeRoot(home), started.id, 'linux').serialLog, guest.marker, 90_000);
    const helper = spawn(process.execPath, [BUNDLE, 'serve'], { env: { ...process.env, OPENUTM_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: helper.stdout }).on('line', (l) => l.includes('owns') && resolve(l));
      helper.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
    });
    assert.match(line, /1 running/);
    const locked = openutm('list');
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /LIBRARY_LOCKED/);
    helper.kill('SIGKILL');
    await new Promise((r) => helper.once('exit', r));
    assert.ok(isAlive(started.pid!), 'the VM survives its helper');
    const stopped = json(VmStatus, 'stop', 'cli guest', '--timeout', '60');
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.lastShutdown, 'guest-shutdown');
  });

  test('edit, clone and delete (with the name typed back)', () => {
    const edited = json(VmSummary, 'edit', 'cli guest', '--memory', '320M', '--notes', 'hello, world');
    assert.equal(edited.config.system.memoryMiB, 320);
    assert.equal(edited.config.notes, 'hello, world');
    const copy = json(VmSummary, 'clone', 'cli guest', '--name', 'cli copy');
    assert.notEqual(copy.config.id, edited.config.id);
    assert.equal(copy.config.system.memoryMiB, 320);
    const wrong = spawnSync(process.execPath, [BUNDLE, 'delete', 'cli copy'], {
      env: { ...process.env, OPENUTM_HOME: home },
      input: 'not the name\n',
      encoding: 'utf8',
    });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /CONFLICT/);
    assert.equal(openutm('delete', 'cli copy', '--yes').code, 0);
    const names = json({ parse: (x) => x as Array<{ config: { name: string } }> }, 'list').map((v) => v.config.name);
    assert.deepEqual(names, ['cli guest']);
  });
});
