import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OpenUtmError, newVmConfig, type VmCreateRequest, type VmStatus, type VmSummary } from '@openutm/shared';
import { ApiClient } from '../api-client/api-client';
import { FixturePeer } from '../api-client/fixture-peer';
import { runCli } from './run-cli';

const TOKEN = 'cli-test-token';
const CWD = path.resolve('/home/someone/isos');
let peer: FixturePeer;
let vms: VmSummary[];
let connects: number;

function summary(id: string, name: string): VmSummary {
  const config = newVmConfig({ name, preset: 'linux-server' }, { id, now: new Date('2024-05-01T12:00:00Z') });
  const status: VmStatus = { id, name, state: 'stopped', since: '2024-05-01T12:00:00.000Z', pid: null, crash: null, lastShutdown: null };
  return { config, status };
}

const tokens = [
  { id: 'aa11bb22cc33', name: 'Firefox', createdAt: '2024-05-01T12:00:00.000Z', lastUsedAt: null, current: false },
  { id: 'aa99ff00ee11', name: 'Chrome', createdAt: '2024-05-02T12:00:00.000Z', lastUsedAt: '2024-05-03T12:00:00.000Z', current: false },
  { id: 'dd44ee55ff66', name: 'Safari', createdAt: '2024-05-02T12:00:00.000Z', lastUsedAt: null, current: false },
];

before(async () => {
  peer = await FixturePeer.start({
    tokens: { [TOKEN]: 'openutm CLI' },
    handlers: {
      'vm.list': () => vms,
      'vm.create': (p) => summary('newvm1', (p as VmCreateRequest).name),
      'vm.start': (p) => {
        const vm = vms.find((v) => v.config.id === (p as { id: string }).id)!;
        if (vm.config.name === 'busy') throw new OpenUtmError('INVALID_STATE', 'busy is running already');
        return { ...vm.status, state: 'running', pid: 4242 };
      },
      'vm.suspend': (p) => ({ ...vms.find((v) => v.config.id === (p as { id: string }).id)!.status, state: 'suspended' }),
      'vm.discardState': (p) => ({ ...vms.find((v) => v.config.id === (p as { id: string }).id)!.status, state: 'stopped' }),
      'vm.stop': (p) => ({ ...vms[0]!.status, state: 'stopped', lastShutdown: (p as { force: boolean }).force ? 'host-qmp-quit' : 'guest-shutdown' }),
      'vm.delete': (p) => {
        const { id, confirmName } = p as { id: string; confirmName: string };
        if (confirmName !== vms.find((v) => v.config.id === id)!.config.name) throw new OpenUtmError('CONFLICT', 'the name typed does not match');
        return { id };
      },
      'auth.pairingCode': () => ({ code: 'K7QM2XPD', expiresAt: new Date(Date.now() + 5 * 60_000).toISOString() }),
      'auth.tokens': () => tokens,
      'auth.revoke': (p) => tokens.find((t) => t.id === (p as { id: string }).id),
    },
  });
});
after(() => peer.close());
beforeEach(() => {
  vms = [summary('abc123', 'Debian'), summary('abd456', 'busy')];
  peer.requests.length = 0;
  connects = 0;
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, {
    env: { OPENUTM_PORT: '47555' },
    cwd: CWD,
    confirm: async () => 'not the name',
    connect: () => {
      connects++;
      return ApiClient.connect({ url: peer.url, token: TOKEN, clientName: 'cli test' });
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function sent(method: string): unknown[] {
  return peer.requests.filter((r) => r.method === method).map((r) => r.params);
}

test('list prints a table, and --json the helper’s answer', async () => {
  const human = await cli('list');
  assert.equal(human.code, 0);
  assert.match(human.out, /^ID\s+NAME\s+STATE/);
  const json = await cli('list', '--json');
  assert.deepEqual((JSON.parse(json.out) as VmSummary[]).map((v) => v.config.id), ['abc123', 'abd456']);
});

test('a VM is found by name or unique id prefix, then the action goes to its id', async () => {
  assert.equal((await cli('start', 'Debian')).code, 0);
  assert.equal((await cli('start', 'abc')).code, 0);
  // Each start names a job of its own, whose progress (a resume's restore) goes to stderr.
  const starts = sent('vm.start') as Array<{ id: string; job: string }>;
  assert.deepEqual(starts.map((p) => p.id), ['abc123', 'abc123']);
  assert.match(starts[0]!.job, /^cli-[0-9a-f]{12}$/);
  assert.notEqual(starts[0]!.job, starts[1]!.job);
  const ambiguous = await cli('start', 'ab');
  assert.equal(ambiguous.code, 1);
  assert.match(ambiguous.err, /matches 2 VMs.*\[CONFLICT\]/);
});

test('suspend says suspended; discard-state asks for the name and keeps the state when it does not match', async () => {
  const r = await cli('suspend', 'Debian');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Debian \(abc123\) is suspended/);
  assert.deepEqual((sent('vm.suspend') as Array<{ id: string }>).map((p) => p.id), ['abc123']);
  const refused = await cli('discard-state', 'Debian');
  assert.equal(refused.code, 1);
  assert.match(refused.err, /the saved state is kept/);
  assert.deepEqual(sent('vm.discardState'), []);
  const json = await cli('discard-state', 'Debian', '--yes', '--json');
  assert.equal(json.code, 0, json.err);
  assert.equal((JSON.parse(json.out) as { state: string }).state, 'stopped');
  assert.deepEqual(sent('vm.discardState'), [{ id: 'abc123' }]);
});

test('create sends absolute paths: relative ones are resolved where the CLI runs', async () => {
  const r = await cli('create', '--name', 'new', '--iso', 'debian.iso', '--kernel', '../k/vmlinuz', '--initrd', '/abs/initrd', '--disk', '20G', '--memory', '2G');
  assert.equal(r.code, 0, r.err);
  const [request] = sent('vm.create') as VmCreateRequest[];
  assert.equal(request!.iso, path.join(CWD, 'debian.iso'));
  assert.equal(request!.linuxBoot?.kernel, path.resolve(CWD, '../k/vmlinuz'));
  assert.equal(request!.linuxBoot?.initrd, path.resolve('/abs/initrd'));
  assert.deepEqual(request!.disks, [{ sizeMiB: 20480, format: 'qcow2' }]);
  assert.equal(request!.system?.memoryMiB, 2048);
});

test('usage mistakes exit 2 before the helper is even contacted', async () => {
  assert.equal((await cli('create')).code, 2);
  const badSize = await cli('create', '--name', 'x', '--memory', 'lots');
  assert.equal(badSize.code, 2);
  assert.match(badSize.err, /512M/);
  assert.equal((await cli('list', '--bogus')).code, 2);
  assert.equal(connects, 0);
});

test('a helper error keeps its code: exit 1, and --json prints it as JSON', async () => {
  const r = await cli('start', 'busy');
  assert.equal(r.code, 1);
  assert.match(r.err, /busy is running already \[INVALID_STATE\]/);
  const j = await cli('start', 'busy', '--json');
  assert.deepEqual(JSON.parse(j.err), { error: { code: 'INVALID_STATE', message: 'busy is running already' } });
});

test('stop passes --force and --timeout on', async () => {
  await cli('stop', 'Debian', '--force');
  await cli('stop', 'Debian', '--timeout', '5');
  assert.deepEqual(sent('vm.stop'), [
    { id: 'abc123', force: true },
    { id: 'abc123', force: false, timeoutMs: 5000 },
  ]);
});

test('delete asks for the name and sends what was typed', async () => {
  const r = await cli('delete', 'Debian');
  assert.equal(r.code, 1);
  assert.match(r.err, /\[CONFLICT\]/);
  assert.equal((await cli('delete', 'Debian', '--yes')).code, 0);
  assert.deepEqual(sent('vm.delete'), [
    { id: 'abc123', confirmName: 'not the name' },
    { id: 'abc123', confirmName: 'Debian' },
  ]);
});

test('pair prints the code, the URL with it on the helper’s port, and how long it lasts', async () => {
  const r = await cli('pair');
  assert.equal(r.code, 0);
  assert.match(r.out, /Pairing code: K7QM-2XPD/);
  assert.match(r.out, /http:\/\/127\.0\.0\.1:47555\/pair\?code=K7QM2XPD/);
  assert.match(r.out, /works once, for 5 minutes/);
  const j = JSON.parse((await cli('pair', '--json')).out) as { code: string; url: string; expiresAt: string };
  assert.equal(j.url, 'http://127.0.0.1:47555/pair?code=K7QM2XPD');
});

test('tokens lists them; revoke takes an id or a unique prefix', async () => {
  const list = await cli('tokens');
  assert.match(list.out, /^ID\s+NAME\s+CREATED\s+LAST USED/);
  assert.match(list.out, /aa11bb22cc33\s+Firefox\s+2024-05-\d\d \d\d:\d\d\s+never/);
  assert.equal((await cli('tokens', 'revoke', 'dd4')).code, 0);
  assert.deepEqual(sent('auth.revoke'), [{ id: 'dd44ee55ff66' }]);
  const ambiguous = await cli('tokens', 'revoke', 'aa');
  assert.equal(ambiguous.code, 1);
  assert.match(ambiguous.err, /matches 2 tokens/);
  assert.equal((await cli('tokens', 'revoke')).code, 2);
  assert.equal((await cli('tokens', 'frobnicate')).code, 2);
});
