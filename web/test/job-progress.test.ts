import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { vmFolder } from '../../helper/src/vm-library/library-paths';
import { launchChromium, screenshot } from './support/browser';
import { ensureWebBuilt } from './support/build-web';
import { pairedPage, type PairedPage } from './support/paired-page';
import { RealHelper } from './support/real-helper';

// A clone's job.progress from the real helper (qemu-img convert -p on a real disk) shown as a
// real progress bar on the VM page and on the VM's library card, then gone when the copy is done.

const MiB = 1024 * 1024;

let helper: RealHelper;
let browser: Browser;
let session: PairedPage | undefined;

before(async () => {
  ensureWebBuilt();
  helper = await RealHelper.start();
  browser = await launchChromium();
});

after(async () => {
  await session?.context.close();
  await browser?.close();
  await helper?.stop();
});

// Random chunks spread over a sparse raw disk: data qemu-img must really copy, at many offsets.
async function scatterData(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    for (let i = 0; i < 32; i++) await handle.write(randomBytes(2 * MiB), 0, 2 * MiB, i * 16 * MiB);
  } finally {
    await handle.close();
  }
}

// Finds the helper's `qemu-img convert` reading from folder (Linux /proc) and stops it there
// (SIGSTOP), so the screenshots show the bar mid-way; gives up (null) once over() says the copy
// ended before it was found. The caller resumes it with SIGCONT.
async function pauseConvert(folder: string, over: () => boolean): Promise<number | null> {
  while (!over()) {
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
      if (args[0]?.endsWith('qemu-img') && args.includes('convert') && args.some((a) => a.startsWith(folder))) {
        process.kill(Number(entry), 'SIGSTOP');
        return Number(entry);
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

// Records every aria-valuenow the page's job progress bar takes, from inside the page (a
// MutationObserver sees each rendered value, however fast they come).
async function recordProgress(page: Page): Promise<void> {
  // A string, not a function: tsx would wrap a function's inner closures in a helper the page lacks.
  await page.evaluate(`(() => {
    const seen = [];
    window.progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[role="progressbar"][data-testid="job-progress"]');
      if (bar === null) return;
      const now = bar.getAttribute('aria-valuenow');
      if (seen.at(-1) !== now) seen.push(now);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  })()`);
}

async function progressSeen(page: Page): Promise<number[]> {
  const raw = await page.evaluate(() => (window as unknown as { progressSeen: Array<string | null> }).progressSeen);
  return raw.filter((v): v is string => v !== null).map(Number);
}

function assertRising(values: number[], where: string): void {
  assert.ok(new Set(values).size >= 2, `${where}: the bar moved (saw ${values.join(', ')})`);
  for (let i = 1; i < values.length; i++) assert.ok(values[i]! >= values[i - 1]!, `${where}: the bar never goes back (saw ${values.join(', ')})`);
  assert.ok(values.every((v) => v >= 0 && v <= 100));
}

const LINUX_PROC = process.platform !== 'linux' ? 'it finds qemu-img in /proc and pauses it with SIGSTOP, which only Linux offers' : false;
test('cloning a VM with a written disk shows a rising progress bar on its page and its card, then the copy is in the library', { skip: LINUX_PROC }, async () => {
  const id = await helper.createKernelGuest('Big VM', { disks: [{ sizeMiB: 512, format: 'raw' }] });
  const { config } = await (await helper.api()).call('vm.get', { id });
  await scatterData(path.join(vmFolder(helper.home, id), config.disks[0]!.file));

  session = await pairedPage(browser, helper);
  const library = session.page;
  const page = await session.context.newPage();
  await page.goto(`${helper.origin}/vm?id=${id}`);
  await page.getByRole('heading', { name: 'Big VM', level: 1 }).waitFor();
  await recordProgress(page);
  await recordProgress(library);

  await page.getByLabel('Name of the copy', { exact: true }).fill('Big VM copy');
  let cloneOver = false;
  const paused = pauseConvert(vmFolder(helper.home, id), () => cloneOver);
  await page.getByRole('button', { name: 'Clone' }).click();
  const bar = page.getByRole('progressbar', { name: 'Cloning Big VM' });
  await bar.waitFor();
  // The copy may be over before its process is found (a fast disk): then the shots show the end.
  const gone = bar.waitFor({ state: 'detached', timeout: 120_000 }).then(() => null);
  const convert = await Promise.race([paused, gone]);
  cloneOver = true;
  try {
    if (convert !== null) await bar.scrollIntoViewIfNeeded();
    await screenshot(page, 'job-progress-1-cloning');
    await screenshot(library, 'job-progress-1-card');
  } finally {
    if (convert !== null) process.kill(convert, 'SIGCONT');
  }
  await page.getByRole('heading', { name: 'Big VM copy', level: 1 }).waitFor({ timeout: 120_000 });
  const copyId = new URL(page.url()).searchParams.get('id')!;
  assert.notEqual(copyId, id);

  const onPage = await progressSeen(page);
  const onCard = await progressSeen(library);
  console.log(`progress seen: page ${onPage.join(' ')} · card ${onCard.join(' ')}`);
  assertRising(onPage, 'VM page');
  assertRising(onCard, 'library card');
  await library.getByRole('link', { name: 'Settings of Big VM copy' }).waitFor();
  await library.getByTestId('job-progress').waitFor({ state: 'detached' });
  await screenshot(library, 'job-progress-2-copied');

  const copy = await (await helper.api()).call('vm.get', { id: copyId });
  assert.equal(copy.config.disks[0]?.sizeMiB, 512);
});
