import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GuestAgentInfo} from '@openutm/shared';
import { VmStatus, VmSummary } from '@openutm/shared';
import { REPO_ROOT } from '../../helper/test/support/test-guest';
import { waitForMatch, waitForPrompt } from '../../helper/test/support/wait';
import { screenshot } from './support/browser';
import { typeIntoGuest } from './support/guest-serial';
import { sidewaysOverflow } from './support/layout';
import { uiSuite } from './support/ui-suite';

// Issue 14, item 6, against the agent guest (a small Debian running qemu-guest-agent, built by
// scripts/agent-guest/build.sh): what the helper shows and the CLI does through the agent must
// match what the guest itself says on its serial shell. One guest boot serves every test in
// this file (2 shared cores); they run in order.

const GUEST_DIR = process.env.OPENUTM_AGENT_GUEST_DIR ?? path.join(REPO_ROOT, '.cache/agent-guest');
interface Manifest {
  marker: string;
  cmdline: string;
  prompt: string;
  hostname: string;
  rootDisk: { file: string; format: 'raw' | 'qcow2'; interface: 'virtio' };
}
const manifest = (): Manifest => JSON.parse(readFileSync(path.join(GUEST_DIR, 'manifest.json'), 'utf8')) as Manifest;

const ui = uiSuite();
const NAME = 'Agent guest';
let id: string;
let work: string;

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return ui.helper.cli(args);
}

function show(): VmSummary {
  const r = cli('show', id, '--json');
  assert.equal(r.status, 0, r.stderr);
  return VmSummary.parse(JSON.parse(r.stdout));
}

// Runs a line on the guest's serial shell and returns what it printed between two markers.
async function serialRun(line: string): Promise<string> {
  const tag = randomBytes(4).toString('hex');
  await typeIntoGuest(ui.helper, id, `echo BEGIN-${tag}; ${line}; echo END-${tag}`);
  const log = await waitForMatch(ui.helper.serialLog(id), new RegExp(`\\nBEGIN-${tag}\\r?\\n[\\s\\S]*?END-${tag}\\r?\\n`), 60_000);
  const m = new RegExp(`\\nBEGIN-${tag}\\r?\\n([\\s\\S]*?)END-${tag}\\r?\\n`).exec(log)!;
  return m[1]!.replace(/\r/g, '');
}

before(async () => {
  assert.ok(existsSync(path.join(GUEST_DIR, 'manifest.json')), `the agent guest is not built: run \`bash scripts/agent-guest/build.sh\` (looked in ${GUEST_DIR})`);
  work = await mkdtemp(path.join(os.tmpdir(), 'openutm-qga-files-'));
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('the agent guest boots; the helper sees its agent: hostname and IP as the guest reports them on its serial shell', async () => {
  const m = manifest();
  const api = await ui.helper.api();
  const { config } = await api.call('vm.create', {
    name: NAME,
    preset: 'linux-server',
    system: { firmware: 'bios', memoryMiB: 512, cpus: 1 },
    disks: [],
    linuxBoot: { kernel: path.join(GUEST_DIR, 'vmlinuz'), initrd: path.join(GUEST_DIR, 'initrd.img'), cmdline: m.cmdline },
    sound: { enabled: false },
  });
  id = config.id;
  await api.call('vm.edit', { id, changes: { disks: { import: [{ path: path.join(GUEST_DIR, m.rootDisk.file), format: m.rootDisk.format, interface: 'virtio' }] } } }, { timeoutMs: 600_000 });
  await api.call('vm.start', { id });
  await waitForPrompt(ui.helper.serialLog(id), m.marker, m.prompt, 300_000);

  // The agent answers: the status (no extra request) turns connected with the guest's facts.
  let agent: GuestAgentInfo | null | undefined = null;
  for (let i = 0; i < 120 && agent?.state !== 'connected'; i++) {
    agent = show().status.guestAgent;
    if (agent?.state !== 'connected') await sleep(1000);
  }
  assert.equal(agent?.state, 'connected', `the agent never answered: ${JSON.stringify(agent)}`);

  const hostname = (await serialRun('hostname')).trim();
  const addr = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(await serialRun('ip -4 addr show dev eth0'))?.[1];
  assert.ok(addr, 'the guest has an IPv4 address on eth0');
  assert.equal(hostname, m.hostname);

  const ip = cli('ip', id);
  assert.equal(ip.status, 0, ip.stderr);
  assert.equal(ip.stdout.trim().split('\n')[0], addr, '`openutm ip` prints the address the guest reports first');
  const shown = cli('show', id);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`hostname\\s+${hostname}\\n`));
  assert.match(shown.stdout, new RegExp(`ip\\s+${addr.replace(/\./g, '\\.')}`));
  assert.match(shown.stdout, /guest os\s+Debian GNU\/Linux/);
  assert.ok(!ip.stdout.split('\n').includes('127.0.0.1'), 'loopback is left out');
  assert.ok(cli('ip', id, '--all').stdout.split('\n').includes('127.0.0.1'), '--all keeps loopback');
});

test('openutm exec prints the guest command\'s output and exits with its exit code', () => {
  const r = cli('exec', id, '--', 'sh', '-c', 'echo "out $(hostname)"; echo err >&2; exit 7');
  assert.equal(r.status, 7);
  assert.equal(r.stdout, `out ${manifest().hostname}\n`);
  assert.equal(r.stderr, 'err\n');
  const ok = cli('exec', id, '--', 'uname', '-s');
  assert.deepEqual([ok.status, ok.stdout], [0, 'Linux\n']);
  const missing = cli('exec', id, '--', '/no/such/program');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /GUEST_AGENT_FAILED/);
});

test('file push then pull round-trips a random 5 MiB file with the same sha256', async () => {
  const data = randomBytes(5 * 1024 * 1024);
  const sha = createHash('sha256').update(data).digest('hex');
  const local = path.join(work, 'random.bin');
  await writeFile(local, data);
  const push = cli('file', 'push', id, local, '/root/random.bin');
  assert.equal(push.status, 0, push.stderr);
  assert.match(push.stdout, new RegExp(`${data.length} bytes, sha256 ${sha}`));
  // The guest's own sha256sum agrees with what was sent.
  const inGuest = cli('exec', id, '--', 'sha256sum', '/root/random.bin');
  assert.equal(inGuest.stdout.split(' ')[0], sha);
  const back = path.join(work, 'back.bin');
  const pull = cli('file', 'pull', id, '/root/random.bin', back);
  assert.equal(pull.status, 0, pull.stderr);
  assert.equal(createHash('sha256').update(await readFile(back)).digest('hex'), sha);
  // A second pull does not overwrite without being asked.
  const again = cli('file', 'pull', id, '/root/random.bin', back);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists/);
});

test('the VM page and the library card show the hostname and IP, with a copy button, at 1280 and 400 px without overflow', async () => {
  const { page } = await ui.pair();
  const agent = show().status.guestAgent!;
  const ip = agent.ips[0]!.address;
  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 860 });
    await page.goto(`${ui.helper.origin}/`);
    const card = page.locator(`[data-testid="vm-card"][data-vm-id="${id}"]`);
    await card.locator('[data-testid="guest-agent"][data-state="connected"]').waitFor();
    assert.equal(await card.getByTestId('guest-hostname').textContent(), agent.hostname);
    assert.equal(await card.getByTestId('guest-ip').textContent(), ip);
    assert.deepEqual((await sidewaysOverflow(page)).culprits, [], `library at ${width} px`);
    await screenshot(page, `guest-agent-library-${width}`);

    await page.goto(`${ui.helper.origin}/vm?id=${id}`);
    const facts = page.locator('[data-testid="guest-agent-facts"][data-state="connected"]');
    await facts.waitFor();
    assert.equal(await facts.getByTestId('guest-hostname').textContent(), agent.hostname);
    assert.equal(await facts.getByTestId('guest-ip').first().textContent(), ip);
    await facts.getByRole('button', { name: `Copy ${ip}, an address of ${NAME}` }).waitFor();
    assert.deepEqual((await sidewaysOverflow(page)).culprits, [], `VM page at ${width} px`);
    await screenshot(page, `guest-agent-vm-page-${width}`);
  }
});

test('stop: a guest that ignores the ACPI button is shut down through its agent, not forced', async () => {
  // acpid is what obeys the power button in this guest; without it the button does nothing.
  const killed = cli('exec', id, '--', 'sh', '-c', 'kill $(pidof acpid) && echo gone');
  assert.deepEqual([killed.status, killed.stdout], [0, 'gone\n']);
  const r = cli('stop', id, '--timeout', '120', '--json');
  assert.equal(r.status, 0, r.stderr);
  const status = VmStatus.parse(JSON.parse(r.stdout));
  assert.equal(status.state, 'stopped');
  // A forced stop would read host-qmp-quit: the guest powered itself off.
  assert.equal(status.lastShutdown, 'guest-shutdown');
  assert.equal(status.guestAgent, null);
});
