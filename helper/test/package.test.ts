import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROTOCOL_VERSION } from '@openutm/shared';
import { buildExecutable } from '../packaging/build-executable';
import { ApiClient } from '../src/api-client/api-client';
import { isAlive } from '../src/qemu-process/process-control';
import { runtimePathsFor, runtimeRoot } from '../src/runtime/runtime-paths';
import { HELPER_VERSION } from '../src/version';
import { kernelGuestRequest, REPO_ROOT, testGuest } from './support/test-guest';
import { waitForText } from './support/wait';
import { rawRequest } from './api/support/api-harness';
import { freePort } from './support/free-port';

// The single executable as a person gets it: copied alone into an empty folder, run with an
// empty HOME and a PATH that holds QEMU but no node and no node_modules. Everything it needs
// (the helper, the UI) must be inside it.
// Windows: its PATH of QEMU alone is made of symlinks found with `sh -c command -v`, and the
// runtime layout it checks is the unix-socket one.
const POSIX_SANDBOX = process.platform === 'win32' ? 'the sandboxed PATH is built from POSIX symlinks (sh, command -v) and the test reads unix-socket runtime paths' : false;
describe('the single executable', { skip: POSIX_SANDBOX }, () => {
  let dir: string;
  let exe: string;
  let env: NodeJS.ProcessEnv;
  let library: string;
  let port: number;
  let client: ApiClient | null = null;

  const run = (...args: string[]) => {
    const r = spawnSync(exe, args, { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(async () => {
    // Rebuilt only when the bundle, the web export or the packager changed since the last build.
    const built = buildExecutable();
    dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-sea-'));
    exe = path.join(dir, path.basename(built.path));
    copyFileSync(built.path, exe);
    // Only QEMU's programs, by symlink: on Debian they share /usr/bin with node.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    for (const program of ['qemu-system-x86_64', 'qemu-img']) {
      const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
      assert.ok(found, `${program} is installed (npm test installs QEMU)`);
      symlinkSync(found, path.join(bin, program));
    }
    library = path.join(dir, 'library');
    port = await freePort();
    // Built from nothing rather than from process.env: no NODE_OPTIONS, no npm_* variables.
    env = { HOME: path.join(dir, 'home'), OPENUTM_HOME: library, OPENUTM_PORT: String(port), OPENUTM_ACCEL: 'tcg', PATH: bin };
    mkdirSync(env.HOME!);
    for (const d of env.PATH!.split(path.delimiter)) {
      assert.ok(!existsSync(path.join(d, 'node')) && !existsSync(path.join(d, 'node_modules')), `no node or node_modules in ${d}`);
    }
  });

  after(async () => {
    if (client) {
      const vms = await client.call('vm.list', {}).catch(() => []);
      for (const vm of vms) if (vm.status.state !== 'stopped') await client.call('vm.kill', { id: vm.config.id }).catch(() => undefined);
      await client.close();
    }
    const pid = helperPid(library);
    if (pid !== null && isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      while (isAlive(pid)) await sleep(50);
    }
    await rm(dir, { recursive: true, force: true });
  });

  test('--version --json names the helper, protocol and packed UI versions', () => {
    const r = run('--version', '--json');
    assert.equal(r.code, 0, r.stderr);
    const web = JSON.parse(readFileSync(path.join(REPO_ROOT, 'web/package.json'), 'utf8')) as { version: string };
    assert.deepEqual(JSON.parse(r.stdout), { helper: HELPER_VERSION, protocol: PROTOCOL_VERSION, ui: web.version });
  });

  test('pairs, boots the test guest through the API, stops it with ACPI, and serves the UI from itself', async () => {
    // The first CLI call starts the helper in the background: the executable runs itself.
    const paired = run('pair', '--json');
    assert.equal(paired.code, 0, paired.stderr + readLog(library));
    const { code } = JSON.parse(paired.stdout) as { code: string };
    assert.match(paired.stderr, /started the OpenUTM helper/);

    const origin = `http://127.0.0.1:${port}`;
    const traded = await rawRequest(port, {
      method: 'POST',
      path: '/api/pair',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ code, clientName: 'package test' }),
    });
    assert.equal(traded.status, 200, traded.body);
    const { token } = JSON.parse(traded.body) as { token: string };
    client = await ApiClient.connect({ url: `ws://127.0.0.1:${port}/api`, token, clientName: 'package test' });
    assert.equal(client.welcome.helperVersion, HELPER_VERSION);

    const { config } = await client.call('vm.create', kernelGuestRequest('sea guest'));
    await client.call('vm.start', { id: config.id });
    const serial = runtimePathsFor(runtimeRoot({ os: 'linux', uid: process.getuid?.() ?? null, home: library, env, tmpdir: '/tmp' }), config.id, 'linux').serialLog;
    await waitForText(serial, testGuest().marker, 180_000);

    await client.call('vm.stop', { id: config.id });
    const stopped = await client.call('vm.get', { id: config.id });
    assert.equal(stopped.status.state, 'stopped');
    assert.equal(stopped.status.crash ?? null, null);

    const page = await rawRequest(port, { path: '/' });
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    // Byte for byte the export it was built from; the folder it runs in has no web/out.
    assert.equal(page.body, readFileSync(path.join(REPO_ROOT, 'web/out/index.html'), 'utf8'));
    assert.equal(existsSync(path.join(dir, 'web')), false);
  });
});

function helperPid(library: string): number | null {
  try {
    return (JSON.parse(readFileSync(path.join(library, '.lock'), 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
}

function readLog(library: string): string {
  try {
    return `\nhelper log:\n${readFileSync(path.join(library, 'logs/helper.log'), 'utf8').slice(-3000)}`;
  } catch {
    return '';
  }
}

