import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiskToolResult, DiskUsage, HostFacts, OpenUtmError, TokenInfo, VmStatus, VmSummary } from '@openutm/shared';
import { isAlive } from '../src/qemu-process/process-control';
import { ApiClient } from '../src/api-client/api-client';
import { defaultRuntimeRoot, runtimePathsFor } from '../src/runtime/runtime-paths';
import { testGuest, REPO_ROOT } from './support/test-guest';
import { waitForText } from './support/wait';
import { freePort } from './support/free-port';
import { libraryHelperPid } from './support/library-helper';

const BUNDLE = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');
const STARTED = /started the OpenUTM helper \(pid (\d+)\)/;
const guest = testGuest();
let home: string;
let port: number;

// The environment of every CLI call: a private library, and a private port so a helper the
// developer runs on 47320 is never touched.
function env(): NodeJS.ProcessEnv {
  return { ...process.env, OPENUTM_HOME: home, OPENUTM_PORT: String(port), OPENUTM_ACCEL: 'tcg' };
}

// Each call is a separate CLI process, exactly as a person runs it; the first one starts the
// helper in the background, the rest talk to it.
function openutm(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { env: env(), encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// The pid of the helper that owns the library now, from its lock file.
function helperPid(): number | null {
  return libraryHelperPid(home);
}

async function untilDead(pid: number): Promise<void> {
  while (isAlive(pid)) await sleep(50);
}

function json<T>(schema: { parse(v: unknown): T }, ...args: string[]): T {
  const r = openutm(...args, '--json');
  assert.equal(r.code, 0, `openutm ${args.join(' ')} failed: ${r.stderr}`);
  return schema.parse(JSON.parse(r.stdout));
}

before(async () => {
  assert.ok(existsSync(BUNDLE), 'npm test builds the helper bundle before the tests');
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-cli-'));
  port = await freePort();
});
after(async () => {
  const list = openutm('list', '--json');
  if (list.code === 0) for (const vm of JSON.parse(list.stdout) as Array<{ config: { id: string } }>) openutm('kill', vm.config.id);
  const pid = helperPid();
  if (pid !== null && isAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    await untilDead(pid);
  }
  await rm(home, { recursive: true, force: true });
});

describe('openutm CLI', () => {
  test('--version names the helper, protocol and UI versions', () => {
    const v = json({ parse: (x) => x as { helper: string; protocol: number; ui: string } }, '--version');
    assert.match(v.helper, /^\d+\.\d+\.\d+/);
    assert.equal(typeof v.protocol, 'number');
    // From a checkout the UI is web/out, so its version is the web workspace's.
    const web = JSON.parse(readFileSync(path.join(REPO_ROOT, 'web/package.json'), 'utf8')) as { version: string };
    assert.equal(v.ui, existsSync(path.join(REPO_ROOT, 'web/out')) ? web.version : 'none');
  });

  test('the first command starts the helper in the background; later ones reuse it', () => {
    const first = openutm('list');
    assert.equal(first.code, 0, first.stderr);
    const started = STARTED.exec(first.stderr);
    assert.ok(started, `the first call says it started the helper: ${first.stderr}`);
    assert.equal(Number(started[1]), helperPid());
    assert.ok(isAlive(Number(started[1])), 'the helper outlives the CLI call that started it');
    const second = openutm('list');
    assert.equal(second.code, 0);
    assert.doesNotMatch(second.stderr, STARTED);
    assert.match(readFileSync(path.join(home, 'logs/helper.log'), 'utf8'), /openutm helper \(pid \d+\) owns/);
  });

  test('doctor asks the helper (host.doctor): QEMU and TCG on this machine', () => {
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

  test('the helper\'s own files are refused as an ISO or kernel, by code and with the reason', () => {
    // The secrets file exists once the helper has started (the first test did).
    const secrets = path.join(home, 'secrets.json');
    assert.ok(existsSync(secrets));
    const iso = openutm('create', '--name', 'secrets thief', '--iso', secrets);
    assert.equal(iso.code, 1, iso.stderr);
    assert.match(iso.stderr, /UNSAFE_PATH/);
    assert.match(iso.stderr, /secrets file/);
    assert.match(iso.stderr, /choose a file of your own/);
    const lock = openutm('create', '--name', 'lock thief', '--kernel', path.join(home, '.lock'));
    assert.equal(lock.code, 1, lock.stderr);
    assert.match(lock.stderr, /library lock/);
    const names = json({ parse: (x) => x as Array<{ config: { name: string } }> }, 'list').map((v) => v.config.name);
    assert.ok(!names.some((n) => n.includes('thief')), 'no VM was created');
  });

  test('create, start, pause, resume, stop from separate CLI processes, all through one helper', () => {
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
    const background = helperPid()!;
    process.kill(background, 'SIGKILL');
    await untilDead(background);
    assert.ok(isAlive(started.pid!), 'the VM survives its helper');

    // A helper run in the foreground re-attaches, and the CLI talks to it rather than starting one.
    const helper = spawn(process.execPath, [BUNDLE, 'serve'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: helper.stdout }).on('line', (l) => l.includes('owns') && resolve(l));
      helper.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
    });
    assert.match(line, /1 running/);
    const through = openutm('show', 'cli guest', '--json');
    assert.equal(through.code, 0, through.stderr);
    assert.doesNotMatch(through.stderr, STARTED);
    assert.equal(VmSummary.parse(JSON.parse(through.stdout)).status.state, 'running');
    helper.kill('SIGKILL');
    await new Promise((r) => helper.once('exit', r));
    assert.ok(isAlive(started.pid!), 'the VM survives its helper again');

    // The next command starts a new background helper, which re-attaches and stops the VM.
    const r = openutm('stop', 'cli guest', '--timeout', '60', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, STARTED);
    const stopped = VmStatus.parse(JSON.parse(r.stdout));
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.lastShutdown, 'guest-shutdown');
  });

  test('pair → a browser trades the code for a token; tokens lists it; revoke cuts it off', async () => {
    const pairing = json({ parse: (x) => x as { code: string; url: string; expiresAt: string } }, 'pair');
    assert.equal(pairing.url, `http://127.0.0.1:${port}/pair?code=${pairing.code}`);
    const origin = `http://127.0.0.1:${port}`;
    const redeem = () =>
      fetch(`${origin}/api/pair`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: pairing.code, clientName: 'test browser' }),
      });
    const res = await redeem();
    assert.equal(res.status, 200);
    const { token, tokenId } = (await res.json()) as { token: string; tokenId: string };
    assert.equal((await redeem()).status, 401, 'a code works once');
    assert.equal(readFileSync(path.join(home, 'secrets.json'), 'utf8').includes(token), false, 'only its hash is stored');

    const listed = json({ parse: (x) => TokenInfo.array().parse(x) }, 'tokens');
    assert.deepEqual(listed.map((t) => [t.id, t.name]), [[tokenId, 'test browser']]);

    const browser = await ApiClient.connect({ url: `ws://127.0.0.1:${port}/api`, token, clientName: 'test browser' });
    assert.ok(Array.isArray(await browser.call('vm.list', {})));
    const closed = new Promise<OpenUtmError>((r) => browser.onClose(r));
    const revoked = openutm('tokens', 'revoke', tokenId);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match((await closed).message, /closed \(code 4401/);
    await assert.rejects(
      ApiClient.connect({ url: `ws://127.0.0.1:${port}/api`, token, clientName: 'test browser' }),
      (e: unknown) => e instanceof OpenUtmError && e.code === 'UNAUTHORIZED',
    );
    assert.deepEqual(json({ parse: (x) => TokenInfo.array().parse(x) }, 'tokens'), []);
  });

  test('edit, clone and delete (with the name typed back)', () => {
    const edited = json(VmSummary, 'edit', 'cli guest', '--memory', '320M', '--notes', 'hello, world');
    assert.equal(edited.config.system.memoryMiB, 320);
    assert.equal(edited.config.notes, 'hello, world');
    const cloned = openutm('clone', 'cli guest', '--name', 'cli copy', '--json');
    assert.equal(cloned.code, 0, cloned.stderr);
    assert.match(cloned.stderr, /^clone: Cloning · 0%$/m, 'the clone shows its progress on stderr');
    const copy = VmSummary.parse(JSON.parse(cloned.stdout));
    assert.notEqual(copy.config.id, edited.config.id);
    assert.equal(copy.config.system.memoryMiB, 320);
    const wrong = spawnSync(process.execPath, [BUNDLE, 'delete', 'cli copy'], {
      env: env(),
      input: 'not the name\n',
      encoding: 'utf8',
    });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /CONFLICT/);
    assert.equal(openutm('delete', 'cli copy', '--yes').code, 0);
    const names = json({ parse: (x) => x as Array<{ config: { name: string } }> }, 'list').map((v) => v.config.name);
    assert.deepEqual(names, ['cli guest']);
  });

  test('edit adds, grows, re-plugs and removes disks and CD drives by flag; a shrink is refused by code', () => {
    const added = json(VmSummary, 'edit', 'cli guest', '--add-disk', '24M,raw,nvme', '--add-cd', 'scsi', '--preset', 'freebsd');
    const disk = added.config.disks.at(-1)!;
    assert.deepEqual([disk.sizeMiB, disk.format, disk.interface, added.config.preset], [24, 'raw', 'nvme', 'freebsd']);
    assert.deepEqual(added.config.removable.map((d) => d.interface).slice(-1), ['scsi']);
    const file = path.join(home, 'vms', added.config.id, disk.file);
    const info = () => JSON.parse(spawnSync('qemu-img', ['info', '--output=json', '-f', 'raw', '--', file], { encoding: 'utf8' }).stdout) as { 'virtual-size': number };
    assert.equal(info()['virtual-size'], 24 * 1024 * 1024);

    const grown = json(VmSummary, 'edit', 'cli guest', '--resize-disk', `${disk.id}=40M`, '--disk-interface', `${disk.id}=sata`, '--disk-readonly', `${disk.id}=on`);
    assert.deepEqual(grown.config.disks.find((d) => d.id === disk.id), { ...disk, sizeMiB: 40, interface: 'sata', readOnly: true });
    assert.equal(info()['virtual-size'], 40 * 1024 * 1024);

    const shrink = openutm('edit', 'cli guest', '--resize-disk', `${disk.id}=8M`);
    assert.equal(shrink.code, 1);
    assert.match(shrink.stderr, /WOULD_LOSE_DATA/);
    assert.equal(info()['virtual-size'], 40 * 1024 * 1024);

    const cd = grown.config.removable.at(-1)!.id;
    const removed = json(VmSummary, 'edit', 'cli guest', '--remove-disk', disk.id, '--remove-cd', cd);
    assert.deepEqual(removed.config.detachedDisks, [{ file: disk.file, format: 'raw', sizeMiB: 40 }], 'a removed disk is kept unless delete is said');
    assert.equal(removed.config.removable.some((d) => d.id === cd), false);
    assert.ok(existsSync(file));
    assert.match(openutm('show', 'cli guest').stdout, /detached +disk\d\.img/);
    json(VmSummary, 'edit', 'cli guest', '--discard-disk', disk.file);
    assert.equal(existsSync(file), false);

    const bad = openutm('edit', 'cli guest', '--add-disk', '1G,floppy');
    assert.equal(bad.code, 2, 'a usage mistake');
    assert.match(bad.stderr, /a disk interface is one of virtio, nvme/);
  });

  test('edit --import-disk shows the copy progress on stderr and lists the imported disk', () => {
    const image = path.join(home, 'to import.img');
    assert.equal(spawnSync('qemu-img', ['create', '-q', '-f', 'raw', '--', image, '12M']).status, 0);
    const imported = openutm('edit', 'cli guest', '--import-disk', `${image},raw`, '--json');
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /^import: Importing a disk image · 0%$/m, 'the import shows its progress on stderr');
    assert.match(imported.stderr, /^import: Importing to import\.img · \d+%$/m, 'the copy names the image');
    const vm = VmSummary.parse(JSON.parse(imported.stdout));
    const disk = vm.config.disks.at(-1)!;
    assert.deepEqual([disk.sizeMiB, disk.format], [12, 'raw']);
    json(VmSummary, 'edit', 'cli guest', '--remove-disk', `${disk.id},delete`);
  });
  test('disk list, convert and compact, with --json and progress on stderr; show gives the real size', () => {
    const vm = json(VmSummary, 'create', '--name', 'cli disks', '--preset', 'linux-server', '--disk', '64M', '--kernel', guest.kernel, '--initrd', guest.initrd);
    const listed = json({ parse: (x) => DiskUsage.array().parse(x) }, 'disk', 'list', 'cli disks');
    assert.deepEqual(listed.map((d) => [d.id, d.format, d.virtualBytes]), [['disk0', 'qcow2', 64 * 1024 * 1024]]);
    assert.ok(listed[0]!.actualBytes !== null && listed[0]!.actualBytes < 4 * 1024 * 1024, 'a fresh qcow2 takes almost nothing');
    assert.match(openutm('show', 'cli disks').stdout, /disk0: disk0\.qcow2 \(qcow2, 64 MiB, virtio\) · [\d.]+ KiB on the host/);

    const converted = openutm('disk', 'convert', 'cli disks', 'disk0', 'raw', '--json');
    assert.equal(converted.code, 0, converted.stderr);
    assert.match(converted.stderr, /^converting disk0: Converting disk0 to raw · \d+%$/m);
    const result = DiskToolResult.parse(JSON.parse(converted.stdout));
    assert.deepEqual([result.disk.file, result.disk.format], ['disk0.img', 'raw']);
    assert.equal(json(VmSummary, 'show', vm.config.id).config.disks[0]!.format, 'raw');

    const compacted = openutm('disk', 'compact', 'cli disks', 'disk0');
    assert.equal(compacted.code, 0, compacted.stderr);
    assert.match(compacted.stdout, /^compacted disk0: now disk0\.img \(raw\), .+ on the host \(was .+\), 64 MiB virtual$/m);

    const same = openutm('disk', 'convert', 'cli disks', 'disk0', 'raw');
    assert.equal(same.code, 1);
    assert.match(same.stderr, /already raw; pick the other format .*\[CONFLICT\]/);
    const usage = openutm('disk', 'convert', 'cli disks', 'disk0', 'vmdk');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /qcow2 or raw/);
  });
});
