import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, open, truncate } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { assertRising, progressSeen, recordProgress } from './support/progress-recorder';
import { uiSuite } from './support/ui-suite';

// Importing a disk image from the host on the VM page: the real helper copies it with
// qemu-img convert -p and reports vm.edit's job.progress, shown as a progress bar in the Disks
// panel until the answer comes; a refused import removes the bar and says why.

const MiB = 1024 * 1024;
const ui = uiSuite();

// A sparse raw image with random chunks spread over it: data qemu-img must really copy.
async function writtenImage(file: string, sizeMiB: number): Promise<void> {
  await (await open(file, 'wx')).close();
  await truncate(file, sizeMiB * MiB);
  const handle = await open(file, 'r+');
  try {
    for (let i = 0; i < 32; i++) await handle.write(randomBytes(2 * MiB), 0, 2 * MiB, i * (sizeMiB / 32) * MiB);
  } finally {
    await handle.close();
  }
}

async function openVm(id: string, name: string): Promise<Page> {
  const { page } = await ui.pair();
  await page.getByRole('link', { name: `Settings of ${name}` }).click();
  await page.waitForURL(`${ui.helper.origin}/vm?id=${id}`);
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return page;
}

test('importing a written 512 MiB image shows a rising progress bar in the Disks panel, then the disk is listed and the bar is gone', async () => {
  const id = await ui.helper.createKernelGuest('Import VM');
  const hostDir = path.join(ui.helper.home, 'host images');
  await mkdir(hostDir);
  const image = path.join(hostDir, 'big disk.img');
  await writtenImage(image, 512);

  const page = await openVm(id, 'Import VM');
  await recordProgress(page, 'Importing the disk image');
  await page.getByLabel('Image on this computer', { exact: true }).fill(image);
  assert.equal(await page.getByLabel('Image format', { exact: true }).inputValue(), 'raw');
  await page.getByRole('button', { name: 'Copy into this VM' }).click();
  const bar = page.getByRole('region', { name: 'Disks' }).getByRole('progressbar', { name: 'Importing the disk image' });
  await bar.waitFor();
  assert.equal(await page.getByTestId('clone-progress').count(), 0, 'the import is not shown as a clone');
  await screenshot(page, 'import-progress-1-copying');

  await page.getByTestId('disk-disk0').getByText('512 MiB raw on VirtIO').waitFor({ timeout: 120_000 });
  await bar.waitFor({ state: 'detached' });
  const seen = await progressSeen(page);
  console.log(`import progress seen: ${seen.join(' ')}`);
  assertRising(seen, 'Disks panel');
  assert.ok(seen.some((v) => v > 0 && v < 100), `some values are part-way (saw ${seen.join(', ')})`);
  assert.equal(await page.getByTestId('disks-error').textContent(), '');
  await screenshot(page, 'import-progress-2-imported');
  const { config } = await (await ui.helper.api()).call('vm.get', { id });
  assert.deepEqual(config.disks.map((d) => [d.id, d.sizeMiB, d.format]), [['disk0', 512, 'raw']]);
});

test('an image that is not what its format says is refused: the bar goes, the Disks panel says why, no disk is added', async () => {
  const id = await ui.helper.createKernelGuest('Refused VM');
  const image = path.join(ui.helper.home, 'not really.qcow2');
  await (await open(image, 'wx')).close();
  await truncate(image, 4 * MiB);

  const page = await openVm(id, 'Refused VM');
  await page.getByLabel('Image on this computer', { exact: true }).fill(image);
  assert.equal(await page.getByLabel('Image format', { exact: true }).inputValue(), 'qcow2', 'the format follows the extension');
  await page.getByRole('button', { name: 'Copy into this VM' }).click();
  await page.getByTestId('disks-error').getByText(/qcow2|qemu-img/i).waitFor();
  assert.equal(await page.getByRole('progressbar', { name: 'Importing the disk image' }).count(), 0, 'the bar is gone');
  await screenshot(page, 'import-progress-3-refused');
  const { config } = await (await ui.helper.api()).call('vm.get', { id });
  assert.deepEqual(config.disks, []);
});
