import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { open, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { assertRising, progressSeen, recordProgress } from './support/progress-recorder';
import { uiSuite } from './support/ui-suite';

// Convert and Compact on the VM page, against the real helper and qemu-img: each disk shows its
// real size beside its virtual size, a convert shows a rising bar and changes the disk's format,
// Cancel leaves the VM as it was, and a compact shrinks a qcow2 whose data was zeroed.
// The helper's rewrites are capped at 64 MiB/s (OPENUTM_DISK_RATE, qemu-img convert -r) so a
// 128 MiB image takes about two seconds: long enough to see the bar and press Cancel.

const MiB = 1024 * 1024;
const ui = uiSuite({ env: { OPENUTM_DISK_RATE: String(64 * MiB) } });

async function writePattern(file: string, countMiB: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    for (let i = 0; i < countMiB; i++) await handle.write(Buffer.alloc(MiB, `block ${i} · `), 0, MiB, i * MiB);
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

const folderOf = (id: string) => path.join(ui.helper.home, 'vms', id);
const state = async (id: string) => ({ config: await readFile(path.join(folderOf(id), 'vm.json'), 'utf8'), files: (await readdir(folderOf(id))).sort() });

test('convert a written raw disk to qcow2 with a rising bar, then cancel a convert back: nothing changes', async () => {
  const id = await ui.helper.createKernelGuest('Convert VM', { disks: [{ sizeMiB: 128, format: 'raw' }] });
  await writePattern(path.join(folderOf(id), 'disk0.img'), 128);
  const page = await openVm(id, 'Convert VM');
  const row = page.getByTestId('disk-disk0');
  await row.getByTestId('disk-size-disk0').getByText('On the host: 128 MiB of 128 MiB virtual').waitFor();
  await screenshot(page, 'disk-tools-1-sizes');

  await recordProgress(page, 'Rewriting disk0');
  await row.getByRole('button', { name: 'Convert disk0 to qcow2…' }).click();
  await page.getByRole('dialog', { name: 'Convert disk0 to qcow2?' }).getByRole('button', { name: 'Convert to qcow2' }).click();
  await row.getByRole('progressbar', { name: 'Rewriting disk0' }).waitFor();
  await screenshot(page, 'disk-tools-2-converting');
  await page.getByTestId('disk-tool-outcome-disk0').getByText(/^Converted disk0 to qcow2 \(128 MiB → [\d.]+ MiB on the host\)$/).waitFor({ timeout: 60_000 });
  const seen = await progressSeen(page);
  console.log(`convert progress seen: ${seen.join(' ')}`);
  assertRising(seen, 'disk row');
  await page.getByTestId('disk-disk0').getByText(/128 MiB qcow2 on VirtIO/).waitFor();
  const { config } = await (await ui.helper.api()).call('vm.get', { id });
  assert.deepEqual(config.disks.map((d) => [d.file, d.format]), [['disk0.qcow2', 'qcow2']]);

  const before = await state(id);
  const again = page.getByTestId('disk-disk0');
  await again.getByRole('button', { name: 'Convert disk0 to raw…' }).click();
  await page.getByRole('dialog', { name: 'Convert disk0 to raw?' }).getByRole('button', { name: 'Convert to raw' }).click();
  const cancel = again.getByRole('button', { name: 'Cancel' });
  await cancel.and(page.locator(':enabled')).waitFor();
  await cancel.click();
  await again.getByTestId('disk-tool-outcome-disk0').getByText('Cancelled: disk0 is unchanged').waitFor({ timeout: 60_000 });
  await screenshot(page, 'disk-tools-3-cancelled');
  assert.deepEqual(await state(id), before, 'vm.json and the folder are as before');
  assert.equal(await page.getByRole('progressbar', { name: 'Rewriting disk0' }).count(), 0);
});

test('compact a qcow2 whose data was zeroed: the real size drops; a running VM locks the buttons', async () => {
  const id = await ui.helper.createKernelGuest('Compact VM', { disks: [{ sizeMiB: 48, format: 'qcow2' }] });
  const raw = path.join(ui.helper.home, 'zeroed.raw');
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', raw, '48M']);
  await writePattern(raw, 4);
  execFileSync('qemu-img', ['convert', '-S', '0', '-f', 'raw', '-O', 'qcow2', raw, path.join(folderOf(id), 'disk0.qcow2')]);
  const page = await openVm(id, 'Compact VM');
  const row = page.getByTestId('disk-disk0');
  await row.getByTestId('disk-size-disk0').getByText(/On the host: 48\.\d+ MiB of 48 MiB virtual|On the host: 4\d MiB of 48 MiB virtual/).waitFor();
  await row.getByRole('button', { name: 'Compact disk0' }).click();
  await row.getByTestId('disk-tool-outcome-disk0').getByText(/^Compacted disk0: 4\d(\.\d+)? MiB → [4-6](\.\d+)? MiB on the host$/).waitFor({ timeout: 60_000 });
  await row.getByTestId('disk-size-disk0').getByText(/On the host: [4-6](\.\d+)? MiB of 48 MiB virtual/).waitFor();
  await screenshot(page, 'disk-tools-4-compacted');
  execFileSync('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', raw, path.join(folderOf(id), 'disk0.qcow2')]);

  await (await ui.helper.api()).call('vm.start', { id });
  try {
    await page.getByTestId('disks-status').getByText(/^Locked:/).waitFor();
    assert.equal(await row.getByRole('button', { name: 'Compact disk0' }).isDisabled(), true);
    assert.equal(await row.getByRole('button', { name: 'Convert disk0 to raw…' }).isDisabled(), true);
    await row.getByTestId('disk-size-disk0').getByText(/On the host: .+ of 48 MiB virtual/).waitFor();
  } finally {
    await (await ui.helper.api()).call('vm.kill', { id });
  }
});
