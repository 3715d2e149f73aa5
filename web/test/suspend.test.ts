import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmStatus, VmSummary } from '@openutm/shared';
import { testGuest } from '../../helper/test/support/test-guest';
import { waitForMatch } from '../../helper/test/support/wait';
import { screenshot } from './support/browser';
import { typeIntoGuest } from './support/guest-serial';
import { uiSuite } from './support/ui-suite';

// Issue 15, item 2, as checked there: a guest with a counter running in its shell is suspended
// with `openutm suspend`, the helper is killed with SIGKILL, a new helper starts, the library
// shows the VM as suspended with Resume in place of Start, and Resume continues the guest: the
// counter goes on from where it was, the guest's uptime did not restart, the state file is gone.

// Commas, spaces and non-ASCII in the library's path (QEMU never sees it: the helper writes the file).
const home = mkdtempSync(path.join(os.tmpdir(), 'openutm web suspend, ü-'));
const ui = uiSuite({ home });
after(() => rm(home, { recursive: true, force: true }));
const NAME = 'Counter, ü';
// A line of /proc/uptime: seconds up, seconds idle.
const UPTIME = /(\d+\.\d\d) \d+\.\d\d\r?\n/;

async function waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs / 1000} s: ${what}`);
    await sleep(100);
  }
}

// The numbers the guest's counter printed (a line cut by the suspend is joined by the caller).
const counts = (text: string) => [...text.matchAll(/c(\d+)\r?\n/g)].map((m) => Number(m[1]));
const lastUptime = (text: string) => Number([...text.matchAll(new RegExp(UPTIME, 'g'))].at(-1)?.[1] ?? NaN);

test('suspend, kill -9 the helper, a new helper shows it suspended, Resume continues the counter and the uptime, and the state file is gone', async () => {
  const { helper } = ui;
  const id = await helper.createKernelGuest(NAME);
  const folder = path.join(home, 'vms', id);
  const api = await helper.api();
  await api.call('vm.start', { id });
  await helper.waitForGuestShell(id);
  await typeIntoGuest(helper, id, 'i=0; while :; do i=$((i+1)); echo c$i; sleep 1; done &');
  await waitForMatch(helper.serialLog(id), /c3\r?\n/, 60_000);
  await typeIntoGuest(helper, id, 'cat /proc/uptime');
  const uptimeBefore = lastUptime(await waitForMatch(helper.serialLog(id), UPTIME, 30_000));

  const suspend = helper.cli(['suspend', NAME, '--json']);
  assert.equal(suspend.status, 0, suspend.stderr);
  const suspended = VmStatus.parse(JSON.parse(suspend.stdout));
  assert.equal(suspended.state, 'suspended');
  assert.match(suspend.stderr, /^suspend: .+ · \d+%$/m, 'progress on stderr');
  assert.ok(existsSync(path.join(folder, 'suspended.state')), 'the state lives in the VM folder');
  // The run's serial output, kept in the VM's folder when its QEMU ended.
  const beforeText = await readFile(path.join(folder, 'logs/last-run-serial.log'), 'utf8');

  await helper.killAndRestart();
  const listed = (JSON.parse(helper.cli(['list', '--json']).stdout) as unknown[]).map((v) => VmSummary.parse(v));
  assert.equal(listed.find((v) => v.config.id === id)?.status.state, 'suspended');

  const { page } = await ui.pair();
  const card = page.getByRole('article', { name: NAME });
  await card.locator('[data-testid="state-badge"][data-state="suspended"]').getByText('Suspended').waitFor();
  const bar = card.getByRole('toolbar', { name: `Actions for ${NAME}` });
  assert.deepEqual(await bar.getByRole('button').allInnerTexts(), ['Resume', 'Pause', 'Restart', 'Force stop', 'Console']);
  assert.equal(await card.getByTestId('vm-actions-reason').textContent(), 'Pause, Restart, Force stop and Console: the VM is suspended — resume it first.');
  await screenshot(page, 'suspended-card');
  await page.getByRole('link', { name: `Settings of ${NAME}` }).click();
  await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
  const controls = page.getByTestId('suspend-controls');
  await controls.getByText(`${NAME} is suspended`).waitFor();
  assert.equal(await controls.getByRole('button', { name: 'Discard saved state…' }).isVisible(), true);
  await screenshot(page, 'suspended-vm-page');

  await page.getByRole('toolbar', { name: `Actions for ${NAME}` }).getByRole('button', { name: `Resume ${NAME}`, exact: true }).click();
  await page.locator('header [data-testid="state-badge"][data-state="running"]').waitFor({ timeout: 120_000 });
  // The helper removes it right after the guest runs again (the badge may be a moment ahead).
  // Two files, removed one after the other: wait for both.
  const leftovers = () => ['suspended.state', 'suspended.json'].filter((f) => existsSync(path.join(folder, f)));
  await waitUntil(() => leftovers().length === 0, 30_000, 'the state files are gone once resumed');
  assert.deepEqual(leftovers(), []);

  // The counter goes on from where it was: across the cut, every number is the last one plus one.
  const resumedLog = helper.serialLog(id);
  const lastBefore = Math.max(...counts(beforeText));
  await waitForMatch(resumedLog, new RegExp(`c${lastBefore + 3}\\r?\\n`), 60_000);
  await typeIntoGuest(helper, id, 'cat /proc/uptime');
  const afterText = await waitForMatch(resumedLog, UPTIME, 30_000);
  const joined = counts(beforeText + afterText);
  const at = joined.lastIndexOf(lastBefore);
  assert.deepEqual(joined.slice(at, at + 4), [lastBefore, lastBefore + 1, lastBefore + 2, lastBefore + 3], 'no number lost or restarted');
  assert.equal(afterText.includes(testGuest().marker), false, 'the guest did not boot again');
  const uptimeAfter = lastUptime(afterText);
  assert.ok(uptimeAfter > uptimeBefore, `the guest's uptime went on (${uptimeBefore} s before, ${uptimeAfter} s after)`);
});
