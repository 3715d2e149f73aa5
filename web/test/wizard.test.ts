import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { testGuest } from '../../helper/test/support/test-guest';
import { screenshot } from './support/browser';
import { uiSuite } from './support/ui-suite';

// The creation wizard against the real helper: the ISO chosen through the helper's file
// browser or typed, the VM created with a real qemu-img disk, started under TCG.

const ui = uiSuite();
let page: Page;

async function openWizard(): Promise<void> {
  page = (await ui.pair()).page;
  await page.getByRole('link', { name: 'New VM' }).click();
  await page.waitForURL(`${ui.helper.origin}/new`);
  await page.getByRole('heading', { name: /Step 1 of 6/ }).waitFor();
  // The defaults follow host.doctor's answer; wait for it as a person would see it.
  await page.locator('[data-testid="host-summary"][data-loaded="true"]').waitFor();
}

const next = () => page.getByRole('button', { name: 'Next' }).click();
const step = (n: number) => page.getByRole('heading', { name: new RegExp(`Step ${n} of 6`) }).waitFor();

// Records whether the creation progress ever showed (it may be gone before a poll could see it).
async function watchProgress(): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { sawProgress: boolean };
    w.sawProgress = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="create-progress"]')) w.sawProgress = true;
    }).observe(document.body, { subtree: true, childList: true });
  });
}

async function startFromDetailPage(name: string): Promise<string> {
  await page.waitForURL(/\/vm\?id=[a-z0-9]+$/);
  const id = new URL(page.url()).searchParams.get('id')!;
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await page.getByRole('button', { name: `Start ${name}` }).click();
  await page.locator('header [data-testid="state-badge"][data-state="running"]').waitFor({ timeout: 90_000 });
  return id;
}

test('creates a VM with the ISO chosen in the host browser, then starts it', async () => {
  const iso = testGuest().iso;
  await openWizard();
  await page.getByText('Other / legacy').click();
  // Next without a name: the schema's message shows next to the field and the step stays.
  await next();
  await page.getByTestId('field-error').getByText('A VM needs a name').waitFor();
  await step(1);
  await page.getByLabel('Name', { exact: true }).fill('Wizard ISO VM');
  await screenshot(page, 'wizard-1-os');
  await next();

  await step(2);
  await page.getByRole('button', { name: 'Browse…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Choose a disc image on this computer' });
  await dialog.waitFor();
  // A folder that is not there: a clear error, and the chooser stays usable.
  await dialog.getByLabel('Folder', { exact: true }).fill('/no/such folder/ünïcode');
  await dialog.getByRole('button', { name: 'Go' }).click();
  await dialog.getByTestId('browse-error').getByText(/does not exist/).waitFor();
  // Into the guest's parent folder by path, then down by clicking, as a person would.
  await dialog.getByLabel('Folder', { exact: true }).fill(path.dirname(path.dirname(iso)) + '/sub/..');
  await dialog.getByRole('button', { name: 'Go' }).click();
  await dialog.getByRole('button', { name: /^test-guest \(folder\)/ }).click();
  await screenshot(page, 'wizard-2-browser');
  await dialog.getByRole('button', { name: /^test-guest\.iso/ }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.getByLabel('Install disc (ISO image)', { exact: true }).inputValue(), iso);
  await next();

  await step(3);
  // The slow warning shows exactly when host.doctor finds no hardware accelerator that runs
  // guests here (no /dev/kvm, or one that failed the probe boot); never assumed from the machine.
  const facts = await (await ui.helper.api()).call('host.doctor', {});
  const slow = page.getByTestId('field-warning').getByText(/emulated \(TCG\) and slow/);
  if (facts.accelerators.some((a) => a !== 'tcg')) {
    await page.getByLabel('CPUs', { exact: true }).waitFor();
    assert.equal(await slow.count(), 0, `${facts.accelerators[0]} works here, so no slow warning`);
  } else {
    await slow.waitFor();
  }
  await page.getByLabel('CPUs', { exact: true }).fill('1');
  await page.getByLabel('Memory', { exact: true }).fill('');
  await next();
  await page.getByTestId('field-error').getByText('Enter a whole number').waitFor();
  await page.getByLabel('Memory', { exact: true }).fill('300');
  await page.getByLabel('Firmware', { exact: true }).selectOption('bios');
  await screenshot(page, 'wizard-3-hardware');
  await next();

  await step(4);
  await page.getByLabel('Disk size', { exact: true }).fill('1');
  await next();

  await step(5);
  await page.getByRole('button', { name: 'Add port forward' }).click();
  await page.getByLabel('Host port', { exact: true }).fill('2222');
  await page.getByLabel('Guest port', { exact: true }).fill('70000');
  await next();
  await page.getByTestId('field-error').getByText(/less than or equal to 65535/).waitFor();
  await page.getByLabel('Guest port', { exact: true }).fill('22');
  await page.getByLabel('Display', { exact: true }).selectOption('vnc');
  await next();

  await step(6);
  assert.match((await page.getByTestId('wizard-summary').textContent()) ?? '', /Wizard ISO VM.*Other \/ legacy.*test-guest\.iso/);
  await screenshot(page, 'wizard-6-summary');
  await watchProgress();
  // This test starts the VM from its page; wizard-disc.test.ts covers starting straight away.
  await page.getByLabel('Start the VM and open its console', { exact: true }).uncheck();
  await page.getByRole('button', { name: 'Create VM' }).click();
  const id = await startFromDetailPage('Wizard ISO VM');
  assert.equal(await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress), true, 'progress was shown while creating');
  await screenshot(page, 'wizard-7-running');

  const { config, status } = await (await ui.helper.api()).call('vm.get', { id });
  assert.equal(status.state, 'running');
  assert.equal(config.name, 'Wizard ISO VM');
  assert.equal(config.preset, 'other');
  assert.equal(config.removable[0]?.iso, realpathSync(iso));
  assert.deepEqual([config.system.cpus, config.system.memoryMiB, config.system.firmware], [1, 300, 'bios']);
  assert.deepEqual(config.disks.map((d) => [d.sizeMiB, d.format]), [[1024, 'qcow2']]);
  assert.deepEqual(config.network.portForwards, [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }]);
  assert.equal(config.display.type, 'vnc');
  await (await ui.helper.api()).call('vm.kill', { id });
});

test('creates a VM from a typed ISO path; a path that is not there is refused next to the field', async () => {
  const iso = testGuest().iso;
  await openWizard();
  await page.getByText('Linux (server)').click();
  await page.getByLabel('Name', { exact: true }).fill('Typed path VM');
  await page.keyboard.press('Enter');

  await step(2);
  const field = page.getByLabel('Install disc (ISO image)', { exact: true });
  await field.fill('relative/disc.iso');
  await page.keyboard.press('Enter');
  await page.getByTestId('field-error').getByText(/Type the full path/).waitFor();
  await field.fill(path.join(path.dirname(iso), 'missing disc ✓.iso'));
  await page.keyboard.press('Enter');
  await page.getByTestId('field-error').getByText(/There is no file named "missing disc ✓\.iso"/).waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'wizard-typed-missing');
  await field.fill(iso);
  await page.keyboard.press('Enter');

  await step(3);
  await page.getByLabel('Memory', { exact: true }).fill('256');
  await page.getByLabel('Firmware', { exact: true }).selectOption('bios');
  await page.getByLabel('Memory', { exact: true }).press('Enter');
  await step(4);
  await page.getByLabel('Create a disk', { exact: true }).uncheck();
  await next();
  await step(5);
  await page.getByLabel('Network', { exact: true }).selectOption('none');
  // Enter on a <select> does not submit a form (browsers keep it for the list): Next by button.
  await next();
  await step(6);
  await page.getByLabel('Start the VM and open its console', { exact: true }).uncheck();
  await page.getByRole('button', { name: 'Create VM' }).click();
  const id = await startFromDetailPage('Typed path VM');
  await screenshot(page, 'wizard-typed-running');

  const { config } = await (await ui.helper.api()).call('vm.get', { id });
  assert.equal(config.preset, 'linux-server');
  assert.equal(config.removable[0]?.iso, realpathSync(iso));
  assert.deepEqual(config.disks, []);
  assert.equal(config.network.mode, 'none');
  assert.deepEqual([config.system.memoryMiB, config.system.firmware], [256, 'bios']);
  await (await ui.helper.api()).call('vm.kill', { id });
});

test('warns, from host.doctor, where a choice will be slow or cannot work here; memory beyond the host is refused', async () => {
  const facts = await (await ui.helper.api()).call('host.doctor', {});
  await openWizard();
  await page.getByText('Windows 11').click();
  await page.getByLabel('Name', { exact: true }).fill('Win11 checks');
  await next();
  await step(2);
  await next();
  await step(3);
  // Defaults never exceed the host: Windows 11 asks for 4 CPUs and 8 GiB.
  assert.equal(Number(await page.getByLabel('CPUs', { exact: true }).inputValue()), Math.min(4, facts.cpus));
  assert.ok(Number(await page.getByLabel('Memory', { exact: true }).inputValue()) <= facts.memoryMiB / 2);
  const warnings = page.getByTestId('field-warning');
  const tpmWarning = warnings.filter({ hasText: /TPM 2\.0, and the emulated TPM needs swtpm/ });
  assert.equal(await tpmWarning.count(), facts.swtpm === null ? 1 : 0, 'swtpm missing ⇔ the TPM warning');
  const slow = warnings.filter({ hasText: /emulated \(TCG\) and slow/ });
  assert.equal(await slow.count(), facts.accelerators.some((a) => a !== 'tcg') ? 0 : 1, 'no hardware accelerator ⇔ the slow warning');
  await page.getByLabel('TPM 2.0 (swtpm)', { exact: true }).uncheck();
  await warnings.filter({ hasText: /Windows 11 refuses to install without a TPM 2\.0/ }).waitFor();
  await page.getByLabel('Accelerator', { exact: true }).selectOption('tcg');
  await warnings.filter({ hasText: /TCG emulates the CPU in software/ }).waitFor();

  await page.getByLabel('Memory', { exact: true }).fill(String(facts.memoryMiB + 1024));
  await next();
  await page.getByTestId('field-error').getByText(`This computer has ${facts.memoryMiB} MiB of memory; give the VM less`).waitFor();
  await step(3);
  await screenshot(page, 'wizard-warnings');
  // Nothing was created.
  assert.deepEqual((await (await ui.helper.api()).call('vm.list', {})).filter((v) => v.config.name === 'Win11 checks'), []);
});
