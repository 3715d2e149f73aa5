import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { testGuest } from '../../helper/test/support/test-guest';
import { waitForPrompt, waitForText } from '../../helper/test/support/wait';
import { screenshot } from './support/browser';
import { uiSuite } from './support/ui-suite';

// The VM page against the real helper and a real kernel test guest: settings saved while
// stopped, locked (with the reason) while running, live media, the log, clone and delete.

const ui = uiSuite();
let page: Page;

async function openVm(id: string, name: string): Promise<void> {
  page = (await ui.pair()).page;
  await page.getByRole('link', { name: `Settings of ${name}` }).click();
  await page.waitForURL(`${ui.helper.origin}/vm?id=${id}`);
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

// axe-core: no serious or critical violations on the page as it is now.
async function assertAccessible(): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, []);
}

const field = (label: string) => page.getByLabel(label, { exact: true });
const badge = (state: string) => page.locator(`header [data-testid="state-badge"][data-state="${state}"]`);

test('settings edited while stopped are saved, survive a reload, and bad values are refused by field', async () => {
  const id = await ui.helper.createKernelGuest('Detail VM');
  await openVm(id, 'Detail VM');
  assert.equal(await field('CPUs').inputValue(), '1');

  await field('Memory').fill('8');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('field-error').getByText(/greater than or equal to 16/).waitFor();
  assert.equal(await field('Memory').getAttribute('aria-invalid'), 'true');
  const untouched = await (await ui.helper.api()).call('vm.get', { id });
  assert.equal(untouched.config.system.memoryMiB, 256, 'nothing was sent');

  await field('Memory').fill('384');
  await field('CPUs').fill('2');
  await field('Notes').fill('edited in the browser');
  await page.getByRole('button', { name: 'Add port forward' }).click();
  await field('Host port').fill('8080');
  await field('Guest port').fill('80');
  await field('Sound').check();
  await screenshot(page, 'detail-1-editing');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('settings-status').getByText('Saved.').waitFor();

  const { config } = await (await ui.helper.api()).call('vm.get', { id });
  assert.deepEqual([config.system.cpus, config.system.memoryMiB, config.notes, config.sound.enabled], [2, 384, 'edited in the browser', true]);
  assert.deepEqual(config.network.portForwards, [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 8080, guestPort: 80 }]);
  assert.equal(config.linuxBoot?.kernel, testGuest().kernel, 'sections not edited are untouched');

  await page.reload();
  await page.getByRole('heading', { name: 'Detail VM', level: 1 }).waitFor();
  await page.getByTestId('connection-pill').getByText('Connected').waitFor();
  assert.equal(await field('CPUs').inputValue(), '2');
  assert.equal(await field('Memory').inputValue(), '384');
  assert.equal(await field('Guest port').inputValue(), '80');
  await screenshot(page, 'detail-2-saved');
  await assertAccessible();
});

test('while running: settings locked with the reason, name and media live, the log shows the guest; force stop, clone, delete with the name typed', async () => {
  const id = await ui.helper.createKernelGuest('Live VM');
  await openVm(id, 'Live VM');
  await page.getByRole('button', { name: 'Start Live VM' }).click();
  await badge('running').waitFor({ timeout: 90_000 });

  // Locked by shared's rule, with its words.
  await page.getByTestId('edit-locked').getByText(/cannot change the settings of a VM that is running: shut it down first/).waitFor();
  assert.equal(await field('CPUs').isDisabled(), true);
  assert.equal(await field('Firmware').isDisabled(), true);
  assert.equal(await field('Network card').isDisabled(), true);
  const look = await field('Network card').evaluate((el) => getComputedStyle(el).opacity);
  assert.equal(look, '0.6', 'a locked field looks locked');
  assert.equal(await page.getByRole('button', { name: 'Delete…' }).getAttribute('aria-disabled'), 'true');
  assert.match((await page.getByTestId('manage-reason').textContent()) ?? '', /shut it down first/);

  // The name can change while it runs.
  await field('Name').fill('Live VM renamed');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('heading', { name: 'Live VM renamed', level: 1 }).waitFor();

  // A disc goes in and comes out while the guest runs (blockdev-change-medium / eject).
  const iso = testGuest().iso;
  await page.getByLabel('Disc image path for cd0').fill(iso);
  await page.getByRole('button', { name: 'Insert' }).click();
  await page.getByTestId('media-cd0').getByText(realpathSync(iso)).waitFor();
  assert.equal((await (await ui.helper.api()).call('vm.get', { id })).config.removable[0]?.iso, realpathSync(iso));
  await screenshot(page, 'detail-3-running');
  await assertAccessible();
  await page.getByRole('button', { name: 'Eject' }).click();
  await page.getByTestId('media-cd0').getByText('empty').waitFor();

  // The serial log of the running guest, read through vm.log.
  await ui.helper.waitForGuestShell(id);
  await page.getByRole('button', { name: 'Refresh log' }).click();
  await page.getByTestId('serial-log').getByText(testGuest().marker).first().waitFor();

  await page.getByRole('button', { name: 'Force stop Live VM renamed' }).click();
  await page.getByRole('dialog', { name: 'Force stop Live VM renamed?' }).getByRole('button', { name: 'Force stop' }).click();
  await badge('stopped').waitFor();
  assert.equal(await field('CPUs').isDisabled(), false);
  // The last run's log stays readable after the VM stopped.
  await page.getByRole('heading', { name: 'Serial console (last run)' }).waitFor();

  await field('Name of the copy').fill('Live VM copy');
  await page.getByRole('button', { name: 'Clone' }).click();
  await page.getByRole('heading', { name: 'Live VM copy', level: 1 }).waitFor();
  const copyId = new URL(page.url()).searchParams.get('id')!;
  assert.notEqual(copyId, id);

  await page.getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Live VM copy?' });
  const confirm = dialog.getByRole('button', { name: 'Delete for good' });
  assert.equal(await confirm.isDisabled(), true);
  await dialog.getByLabel(/Type the VM's name/).fill('Live VM');
  assert.equal(await confirm.isDisabled(), true, 'a different name does not confirm');
  await dialog.getByLabel(/Type the VM's name/).fill('Live VM copy');
  await screenshot(page, 'detail-4-delete');
  await confirm.click();
  await page.waitForURL(`${ui.helper.origin}/`);
  const left = (await (await ui.helper.api()).call('vm.list', {})).map((v) => v.config.id);
  assert.equal(left.includes(copyId), false);
  assert.equal(left.includes(id), true, 'the original is still there');
  // Back skips the deleted copy's page: it returns to the original's.
  await page.goBack();
  await page.getByRole('heading', { name: 'Live VM', level: 1 }).waitFor();
});

test('a crash shows its reason and the last log lines; the VM can be started again', async () => {
  const id = await ui.helper.createKernelGuest('Crash VM');
  const started = await (await ui.helper.api()).call('vm.start', { id });
  await openVm(id, 'Crash VM');
  await badge('running').waitFor();
  // QEMU dies under the helper's feet, as when the host's OOM killer picks it.
  process.kill(started.pid!, 'SIGKILL');
  await badge('crashed').waitFor();
  const { status } = await (await ui.helper.api()).call('vm.get', { id });
  assert.equal(status.state, 'crashed');
  const crash = page.getByTestId('crash-info');
  await crash.getByText(status.crash!.reason, { exact: false }).first().waitFor();
  assert.match((await crash.textContent()) ?? '', /Crashed at/);
  assert.equal(await page.getByRole('button', { name: 'Start Crash VM' }).isDisabled(), false);
  assert.equal(await field('CPUs').isDisabled(), false, 'a crashed VM can be reconfigured');
  await screenshot(page, 'detail-5-crashed');
});

// The virtual size of one of the VM's images, as qemu-img itself reads it.
function imageBytes(id: string, file: string, format: 'qcow2' | 'raw' = 'qcow2'): number {
  const out = execFileSync('qemu-img', ['info', '--output=json', '-f', format, '--', path.join(ui.helper.home, 'vms', id, file)], { encoding: 'utf8' });
  return (JSON.parse(out) as { 'virtual-size': number })['virtual-size'];
}

test('disks and CD drives: add, grow, re-plug, remove keeping the file and attach it again, import from the host, change the OS; the booted guest sees every disk', async () => {
  const MiB = 1024 * 1024;
  const id = await ui.helper.createKernelGuest('Disk VM');
  await openVm(id, 'Disk VM');
  const disks = page.getByRole('region', { name: 'Disks' });
  const row = (disk: string) => page.getByTestId(`disk-${disk}`);

  // A new 64 MiB qcow2 disk, on the preset's interface (virtio for a Linux server).
  await field('New disk size').fill('64');
  await disks.getByRole('form', { name: 'Add a disk' }).getByLabel('Unit').selectOption('MiB');
  await page.getByRole('button', { name: 'Add disk' }).click();
  await row('disk0').getByText('64 MiB qcow2 on VirtIO').waitFor();
  assert.equal(imageBytes(id, 'disk0.qcow2'), 64 * MiB);

  // A shrink is refused in the form, with the reason, before anything is sent.
  await field('Size of disk0').fill('32');
  await row('disk0').getByTestId('field-error').getByText(/can only grow/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Apply to disk0' }).isDisabled(), true);

  // Grow to 96 MiB and move it to SATA in one apply.
  await field('Size of disk0').fill('96');
  await field('Interface of disk0').selectOption('sata');
  await screenshot(page, 'detail-6-disk-editing');
  await page.getByRole('button', { name: 'Apply to disk0' }).click();
  await row('disk0').getByText('96 MiB qcow2 on SATA').waitFor();
  assert.equal(imageBytes(id, 'disk0.qcow2'), 96 * MiB);

  // A second disk, raw on NVMe, removed with its file kept, then attached again on virtio.
  await field('New disk size').fill('32');
  await field('Format').selectOption('raw');
  await field('New disk interface').selectOption('nvme');
  await page.getByRole('button', { name: 'Add disk' }).click();
  await row('disk1').getByText('32 MiB raw on NVMe').waitFor();
  await page.getByRole('button', { name: 'Remove disk1…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove disk disk1?' });
  assert.equal(await dialog.getByLabel(/Keep it in the VM's folder/).isChecked(), true, 'keeping the file is the default');
  await screenshot(page, 'detail-7-remove-disk');
  await dialog.getByRole('button', { name: 'Remove, keep the file' }).click();
  await page.getByRole('group', { name: 'Kept image disk1.img' }).waitFor();
  assert.equal(await row('disk1').count(), 0);
  assert.equal(existsSync(path.join(ui.helper.home, 'vms', id, 'disk1.img')), true, 'the kept image is still there');
  await page.getByRole('button', { name: 'Attach disk1.img' }).click();
  await row('disk1').getByText('32 MiB raw on VirtIO').waitFor();

  // An image from elsewhere on the host, at an odd path, copied in on NVMe.
  const hostDir = path.join(ui.helper.home, 'host, ü images');
  mkdirSync(hostDir);
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', '--', path.join(hostDir, 'data disk.img'), '16M']);
  await field('Image on this computer').fill(path.join(hostDir, '..', 'host, ü images', 'data disk.img'));
  assert.equal(await field('Image format').inputValue(), 'raw', 'the format follows the extension');
  await field('Imported disk interface').selectOption('nvme');
  await page.getByRole('button', { name: 'Copy into this VM' }).click();
  await row('disk2').getByText('16 MiB raw on NVMe').waitFor();
  assert.equal(imageBytes(id, 'disk2.img', 'raw'), 16 * MiB);

  // CD drives: a second one on SCSI, the first moved to IDE, a third added and removed again.
  await field('New CD drive interface').selectOption('scsi');
  await page.getByRole('button', { name: 'Add CD drive' }).click();
  await page.getByTestId('media-cd1').waitFor();
  await field('Interface of cd0').selectOption('ide');
  await page.getByRole('button', { name: 'Apply to cd0' }).click();
  await page.getByRole('group', { name: 'CD drive cd0' }).getByText('cd0 (IDE)').waitFor();
  await page.getByRole('button', { name: 'Add CD drive' }).click();
  await page.getByTestId('media-cd2').waitFor();
  await page.getByRole('button', { name: 'Remove drive cd2' }).click();
  await page.getByTestId('media-cd2').waitFor({ state: 'detached' });

  // The OS preset is a label: the rest of the settings stay.
  await field('Operating system').selectOption({ label: 'FreeBSD' });
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('settings-status').getByText('Saved.').waitFor();
  const { config } = await (await ui.helper.api()).call('vm.get', { id });
  assert.deepEqual([config.preset, config.system.memoryMiB, config.network.nic], ['freebsd', 256, 'virtio-net-pci']);
  assert.deepEqual(config.disks.map((d) => [d.id, d.file, d.sizeMiB, d.interface]), [['disk0', 'disk0.qcow2', 96, 'sata'], ['disk1', 'disk1.img', 32, 'virtio'], ['disk2', 'disk2.img', 16, 'nvme']]);
  assert.deepEqual(config.removable, [{ id: 'cd0', iso: null, interface: 'ide' }, { id: 'cd1', iso: null, interface: 'scsi' }]);
  await assertAccessible();

  // Running: every disk control is locked; the guest sees disk0 on AHCI (sda), disk1 on virtio (vda), disk2 on NVMe.
  await page.getByRole('button', { name: 'Start Disk VM' }).click();
  await badge('running').waitFor({ timeout: 90_000 });
  await page.getByTestId('disks-status').getByText(/Locked: .*shut it down first/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Add disk' }).isDisabled(), true);
  assert.equal(await field('Size of disk0').isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Remove drive cd0' }).isDisabled(), true);
  await waitForPrompt(ui.helper.serialLog(id), testGuest().marker, '# ', 180_000);
  await page.goto(`${ui.helper.origin}/console?vm=${encodeURIComponent(id)}`);
  await page.getByRole('tab', { name: 'Serial console' }).click();
  await page.locator('[data-testid="serial-status"][data-phase="connected"]').waitFor({ timeout: 60_000 });
  await page.keyboard.type('for b in /sys/block/*; do echo "blk-${b##*/}-$(cat $b/size)"; done; echo disks-$((40+2))-listed\n', { delay: 10 });
  const log = await waitForText(ui.helper.serialLog(id), 'disks-42-listed', 60_000);
  // 512-byte sectors: 96, 32 and 16 MiB.
  assert.match(log, /blk-sda-196608\b/, log.slice(-1000));
  assert.match(log, /blk-vda-65536\b/, log.slice(-1000));
  assert.match(log, /blk-nvme0n1-32768\b/, log.slice(-1000));
  await screenshot(page, 'detail-8-guest-disks');
  await (await ui.helper.api()).call('vm.kill', { id });
});
