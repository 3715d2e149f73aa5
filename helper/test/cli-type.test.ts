import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultRuntimeRoot, runtimePathsFor } from '../src/runtime/runtime-paths';
import { kernelGuestRequest, testGuest, REPO_ROOT } from './support/test-guest';
import { waitForPrompt, waitForText } from './support/wait';
import { freePort } from './support/free-port';
import { stopLibraryHelper } from './support/library-helper';

// `openutm type` from separate CLI processes against a real helper and the busybox guest:
// standard input on the serial port, an argument as keystrokes on the screen's console, the
// keyboard layout changed while the VM runs, and text the layout cannot type refused by code.

const BUNDLE = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');
let home: string;
let port: number;
let vmId: string;
let serialLog: string;

function openutm(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, OPENUTM_HOME: home, OPENUTM_PORT: String(port), OPENUTM_ACCEL: 'tcg' };
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { env, encoding: 'utf8', timeout: 180_000, ...(input !== undefined && { input }) });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[], input?: string): string {
  const r = openutm(args, input);
  assert.equal(r.code, 0, `openutm ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  assert.ok(existsSync(BUNDLE), 'npm test builds the helper bundle before the tests');
  home = await mkdtemp(path.join(os.tmpdir(), 'openutm-cli-type-'));
  port = await freePort();
  const g = kernelGuestRequest('typed');
  const created = JSON.parse(
    ok(['create', '--name', 'typed', '--preset', 'linux-server', '--disk', 'none', '--memory', '256M', '--cpus', '1', '--firmware', 'bios', '--network', 'none',
      '--kernel', g.linuxBoot!.kernel, '--initrd', g.linuxBoot!.initrd!, '--append', g.linuxBoot!.cmdline!, '--json']),
  ) as { config: { id: string } };
  vmId = created.config.id;
  serialLog = runtimePathsFor(defaultRuntimeRoot(home), vmId, process.platform as 'linux').serialLog;
  ok(['start', vmId]);
  await waitForPrompt(serialLog, testGuest().marker, '# ', 120_000);
});

after(async () => {
  openutm(['kill', vmId]);
  await stopLibraryHelper(home);
  await rm(home, { recursive: true, force: true });
});

test('type VM - sends standard input to the serial port with --serial, its last line end pressing Enter', async () => {
  const out = ok(['type', 'typed', '-', '--serial'], 'until ls -l /proc/[0-9]*/fd/0 2>/dev/null | grep -q tty1; do sleep 0.2; done; echo stdin-$((40+2))-typed\n');
  assert.match(out, /typed \d+ characters into typed on its serial port/);
  await waitForText(serialLog, 'stdin-42-typed', 60_000);
});

test('type VM TEXT presses keys on the screen console, in the layout set while the VM runs', async () => {
  const bad = openutm(['edit', 'typed', '--keyboard-layout', 'klingon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--keyboard-layout is one of us, uk, de, fr/);
  ok(['edit', 'typed', '--keyboard-layout', 'uk']);
  assert.match(ok(['show', 'typed']), /keyboard\s+uk/);
  // The guest's console keeps the US keymap, so UK's key for " (Shift+2) reads as @ there:
  // proof that the keys came from the layout just set.
  const out = ok(['type', 'typed', 'echo "keys-$((6*7))" >/dev/ttyS0\n']);
  assert.match(out, /typed 33 characters into typed as English \(UK\) keystrokes/);
  await waitForText(serialLog, '@keys-42@\r\n', 60_000);
  ok(['edit', 'typed', '--keyboard-layout', 'us']);
});

test('text the layout cannot type: exit 1, each character named, nothing typed', () => {
  const before = readFileSync(serialLog, 'utf8').length;
  const r = openutm(['type', 'typed', 'crème brûlée']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot type 3 characters of this text: U\+00E8 'è', U\+00FB 'û', U\+00E9 'é'.*\[UNTYPABLE_TEXT\]/);
  assert.equal(readFileSync(serialLog, 'utf8').length, before);
  assert.equal(openutm(['type', 'typed']).code, 2);
});
