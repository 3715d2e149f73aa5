import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { gatherHostFacts } from '../../helper/src/host/doctor';
import { buildBootDiscs, type BootDiscs } from '../../helper/test/support/boot-discs';
import { testGuest } from '../../helper/test/support/test-guest';
import { screenshot } from './support/browser';
import { uiSuite } from './support/ui-suite';

// Issue 13, items 2, 12, 13, 15 and 16, against the real helper: firmware that boots the chosen
// disc, the file chooser, "Remove disc", the accelerator the helper really uses, and Create that
// starts the VM and opens its console.
//
// The helper gets its own HOME (so the chooser's Downloads is known) and a KVM it believes in:
// OPENUTM_KVM_DEVICE=/dev/null opens, and its probe verdict is recorded as passed in the helper's
// own cache (XDG_CACHE_HOME), while OPENUTM_ACCEL=tcg runs every VM emulated. That is the case of
// item 15: KVM listed as usable, TCG used.
const LINUX_ONLY = process.platform !== 'linux' && 'OPENUTM_KVM_DEVICE and XDG_CACHE_HOME are Linux notions';
const root = mkdtempSync(path.join(os.tmpdir(), 'openutm-wizard-disc-'));
const home = path.join(root, 'home');
const downloads = path.join(home, 'Downloads');
const env = { HOME: home, XDG_CACHE_HOME: path.join(root, 'cache'), OPENUTM_KVM_DEVICE: '/dev/null', OPENUTM_ACCEL: 'tcg' };
let discs: BootDiscs;

// Registered before uiSuite's hooks, so it runs before the helper starts.
before(async () => {
  mkdirSync(path.join(downloads, 'Old installers'), { recursive: true });
  discs = buildBootDiscs(downloads);
  writeFileSync(path.join(downloads, 'notes.txt'), 'not a disc\n');
  writeFileSync(path.join(home, '.profile'), '# hidden\n');
  // The helper's own host survey runs the KVM probe once (it fails on /dev/null) and caches the
  // verdict under its own key, in the folder the served helper reads (env-paths under
  // XDG_CACHE_HOME); turning the verdict to "passed" makes that helper list KVM.
  const cacheDir = path.join(env.XDG_CACHE_HOME, 'OpenUTM');
  await gatherHostFacts({ env: { ...process.env, ...env }, kvmDevice: '/dev/null', probeCacheDir: cacheDir });
  const cache = path.join(cacheDir, 'accelerator-probes.json');
  const file = JSON.parse(readFileSync(cache, 'utf8')) as { verdicts: Record<string, { ok: boolean; reason: string | null }> };
  for (const v of Object.values(file.verdicts)) Object.assign(v, { ok: true, reason: null });
  writeFileSync(cache, JSON.stringify(file));
});

const ui = uiSuite({ env });
let page: Page;

async function openWizard(colorScheme: 'light' | 'dark' = 'light'): Promise<void> {
  page = (await ui.pair(colorScheme)).page;
  await page.getByRole('link', { name: 'New VM' }).click();
  await page.getByRole('heading', { name: /Step 1 of 6/ }).waitFor();
  await page.locator('[data-testid="host-summary"][data-loaded="true"]').waitFor();
}
const next = () => page.getByRole('button', { name: 'Next' }).click();
const step = (n: number) => page.getByRole('heading', { name: new RegExp(`Step ${n} of 6`) }).waitFor();

// axe on what the page shows now (the open chooser, the warning, the badge): nothing serious.
async function axeClean(what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const found = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe on ${what}`);
}

// The page at 1280 and 400 px wide (the caller picks light or dark when pairing).
async function shots(name: string): Promise<void> {
  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function discStep(preset: string, name: string): Promise<void> {
  await page.getByText(preset).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await next();
  await step(2);
}

test('item 2: a BIOS-only disc gets BIOS, a BIOS+UEFI disc keeps the preset UEFI, a data disc is explained', { skip: LINUX_ONLY }, async () => {
  for (const scheme of ['light', 'dark'] as const) {
    await openWizard(scheme);
    await discStep('Linux (server)', `Firmware ${scheme}`);
    const field = page.getByLabel('Install disc (ISO image)', { exact: true });
    await field.fill(discs.biosOnly);
    await page.getByTestId('disc-boot').getByText('This disc boots only with BIOS, so the VM gets BIOS firmware.').waitFor();
    await shots(`wizard-disc-bios-only-${scheme}`);
    await axeClean(`the disc step (${scheme})`);
  }
  await next();
  await step(3);
  assert.equal(await page.getByLabel('Firmware', { exact: true }).inputValue(), 'bios', 'the Linux preset says UEFI, the disc only BIOS');
  // Choosing UEFI anyway is allowed, and says what will happen.
  await page.getByLabel('Firmware', { exact: true }).selectOption('uefi');
  await page.getByTestId('field-warning').getByText(/boots only with BIOS.*UEFI shell/).waitFor();

  await openWizard();
  await discStep('Linux (server)', 'Both firmwares');
  await page.getByLabel('Install disc (ISO image)', { exact: true }).fill(testGuest().iso);
  await page.getByTestId('disc-boot').getByText('This disc boots with BIOS and UEFI.').waitFor();
  await next();
  await step(3);
  assert.equal(await page.getByLabel('Firmware', { exact: true }).inputValue(), 'uefi');

  await page.getByRole('button', { name: 'Back' }).click();
  await step(2);
  await page.getByLabel('Install disc (ISO image)', { exact: true }).fill(discs.data);
  await page.getByTestId('field-warning').getByText(/has no boot record \(it is a data disc\)/).waitFor();
  await shots('wizard-disc-data');
});

test('item 2: the VM page warns when the firmware cannot boot the disc in its drive', { skip: LINUX_ONLY }, async () => {
  const api = await ui.helper.api();
  const created = await api.call('vm.create', { name: 'UEFI with BIOS disc', preset: 'linux-server', system: { firmware: 'uefi', memoryMiB: 256, cpus: 1 }, disks: [], iso: discs.biosOnly });
  for (const scheme of ['light', 'dark'] as const) {
    page = (await ui.pair(scheme)).page;
    await page.getByRole('link', { name: /UEFI with BIOS disc/ }).first().click();
    await page.getByRole('heading', { name: 'UEFI with BIOS disc', level: 1 }).waitFor();
    await page.getByTestId('disc-firmware-warning').getByText(/boots only with BIOS, and the VM uses UEFI.*Set the firmware to BIOS/).waitFor();
    await shots(`vm-page-disc-warning-${scheme}`);
    await axeClean(`the VM page with the disc warning (${scheme})`);
  }
  await api.call('vm.delete', { id: created.config.id, confirmName: 'UEFI with BIOS disc' });
});

test('item 12: the chooser opens in Downloads with discs first, other files behind "Show all files", places and drawn icons', { skip: LINUX_ONLY }, async () => {
  for (const scheme of ['light', 'dark'] as const) {
    await openWizard(scheme);
    await discStep('Linux (server)', `Chooser ${scheme}`);
    await page.getByRole('button', { name: 'Browse…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose a disc image on this computer' });
    await dialog.getByRole('button', { name: /^bios-only\.iso/ }).waitFor();
    assert.equal(await dialog.getByLabel('Folder', { exact: true }).inputValue(), downloads);
    const names = async () => (await dialog.getByTestId('browse-entry').allInnerTexts()).map((t) => t.split('\n')[0]!.trim());
    assert.deepEqual(await names(), ['bios-only.iso', 'data-disc.iso', 'uefi-only.iso', 'Old installers', 'tree']);
    assert.doesNotMatch((await dialog.textContent()) ?? '', /[\u{1F4C1}\u{1F4BF}\u{1F4C4}]/u, 'no emoji icons');
    assert.equal(await dialog.locator('[data-testid="browse-entry"] svg').count(), 5);
    await shots(`wizard-chooser-${scheme}`);
    await axeClean(`the open file chooser (${scheme})`);
    await dialog.getByLabel('Show all files').check();
    await dialog.getByRole('button', { name: /^notes\.txt/ }).waitFor();
    // Places: Home shows the hidden-only home as it is, Downloads brings the person back.
    await dialog.getByTestId('browse-place').filter({ hasText: 'Home' }).click();
    await dialog.getByRole('button', { name: /^Downloads \(folder\)/ }).waitFor();
    await dialog.getByTestId('browse-place').filter({ hasText: 'Downloads' }).click();
    await dialog.getByRole('button', { name: /^uefi-only\.iso/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.getByLabel('Install disc (ISO image)', { exact: true }).inputValue(), discs.uefiOnly);
  }
});

test('item 13: the button that empties the disc field says "Remove disc"', { skip: LINUX_ONLY }, async () => {
  await openWizard();
  await discStep('Other / legacy', 'Remove disc');
  await page.getByLabel('Install disc (ISO image)', { exact: true }).fill(discs.biosOnly);
  await page.getByRole('button', { name: 'Remove disc' }).click();
  assert.equal(await page.getByLabel('Install disc (ISO image)', { exact: true }).inputValue(), '');
  assert.equal(await page.getByRole('button', { name: 'No disc' }).count(), 0);
});

test('item 15: with KVM usable but OPENUTM_ACCEL=tcg, the wizard says TCG and the card says Emulated', { skip: LINUX_ONLY }, async () => {
  const facts = await (await ui.helper.api()).call('host.doctor', {});
  assert.deepEqual(facts.accelerators, ['kvm', 'tcg'], 'the seeded probe verdict makes KVM usable');
  for (const scheme of ['light', 'dark'] as const) {
    await openWizard(scheme);
    await page.getByTestId('host-summary').getByText(/VMs run emulated \(TCG\)/).waitFor();
    await discStep('Other / legacy', `Emulated ${scheme}`);
    await next();
    await step(3);
    const auto = page.getByLabel('Accelerator', { exact: true }).locator('option[value="auto"]');
    assert.equal(await auto.textContent(), 'Automatic (emulated, TCG here)');
    await page.getByText(/runs every VM under TCG \(OPENUTM_ACCEL\)/).waitFor();
    await shots(`wizard-accelerator-${scheme}`);
  }
  const api = await ui.helper.api();
  const created = await api.call('vm.create', { name: 'Emulated card', preset: 'other', system: { memoryMiB: 256, cpus: 1 }, disks: [] });
  for (const scheme of ['light', 'dark'] as const) {
    page = (await ui.pair(scheme)).page;
    const card = page.getByTestId('vm-card').filter({ hasText: 'Emulated card' });
    await card.getByTestId('emulated-badge').getByText('Emulated').waitFor();
    await shots(`library-emulated-${scheme}`);
    await axeClean(`the library with an Emulated badge (${scheme})`);
  }
  await api.call('vm.delete', { id: created.config.id, confirmName: 'Emulated card' });
});

test('item 16: Create with an installer disc starts the VM and opens its console', { skip: LINUX_ONLY }, async () => {
  await openWizard();
  await discStep('Other / legacy', 'Starts at once');
  await page.getByLabel('Install disc (ISO image)', { exact: true }).fill(testGuest().iso);
  await next();
  await step(3);
  await page.getByLabel('Memory', { exact: true }).fill('256');
  await next();
  await step(4);
  await page.getByLabel('Create a disk', { exact: true }).uncheck();
  await next();
  await step(5);
  await next();
  await step(6);
  const start = page.getByLabel('Start the VM and open its console', { exact: true });
  assert.equal(await start.isChecked(), true, 'on by default with an installer disc');
  assert.match((await page.getByTestId('wizard-summary').textContent()) ?? '', /AcceleratorTCG \(emulated, slower\)/);
  await shots('wizard-start-after-create');
  await page.getByRole('button', { name: 'Create VM' }).click();
  await page.waitForURL(/\/console\?vm=[a-z0-9]+$/, { timeout: 120_000 });
  const id = new URL(page.url()).searchParams.get('vm')!;
  const api = await ui.helper.api();
  assert.equal((await api.call('vm.status', { id })).state, 'running');
  // The wizard is done with: Back leaves the console for the library it was opened from.
  await page.goBack();
  await page.getByRole('heading', { name: /^Library/, level: 1 }).waitFor();
  await api.call('vm.kill', { id });
});

test('by keyboard at 400 px: New VM, a name, Browse…, Enter on the first disc; the browser Back returns to the library', { skip: LINUX_ONLY }, async () => {
  page = (await ui.pair()).page;
  await page.setViewportSize({ width: 400, height: 800 });
  await page.getByRole('link', { name: 'New VM' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Step 1 of 6/ }).waitFor();
  await page.locator('[data-testid="host-summary"][data-loaded="true"]').waitFor();
  await page.keyboard.type('Keyboard disc');
  await page.keyboard.press('Enter');
  await step(2);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Browse…');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Choose a disc image on this computer' });
  // The list takes the focus on its first entry, the first disc image.
  await dialog.getByRole('button', { name: /^bios-only\.iso/ }).waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent?.startsWith('bios-only.iso'));
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.getByLabel('Install disc (ISO image)', { exact: true }).inputValue(), discs.data);
  await page.getByTestId('field-warning').getByText(/no boot record/).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: /^Library/, level: 1 }).waitFor();
});
