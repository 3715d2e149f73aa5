import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uiSuite } from './support/ui-suite';

// The "no KVM" side of the wizard, set up explicitly whatever this machine has: the helper is
// pointed at a KVM device that does not exist (OPENUTM_KVM_DEVICE). wizard.test.ts covers the
// machine's own /dev/kvm, so one run checks both.
const ui = uiSuite({ env: { OPENUTM_KVM_DEVICE: '/nonexistent/kvm' } });

// Linux only: elsewhere the hardware accelerator (HVF, WHPX) has no device path to point away.
const LINUX_ONLY = process.platform !== 'linux' && 'OPENUTM_KVM_DEVICE is where the helper looks for KVM, which only Linux has';

test('without a KVM device, host.doctor offers only TCG and the wizard says the VM will be slow and how to fix it', { skip: LINUX_ONLY }, async () => {
  const facts = await (await ui.helper.api()).call('host.doctor', {});
  assert.deepEqual(facts.accelerators, ['tcg']);
  assert.equal(facts.acceleratorProbe, undefined, 'nothing to probe without a device');
  const { page } = await ui.pair();
  await page.getByRole('link', { name: 'New VM' }).click();
  await page.locator('[data-testid="host-summary"][data-loaded="true"]').waitFor();
  await page.getByText('Other / legacy').click();
  await page.getByLabel('Name', { exact: true }).fill('No KVM');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 2 of 6/ }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: /Step 3 of 6/ }).waitFor();
  await page.getByTestId('field-warning').getByText(/emulated \(TCG\) and slow: turn on virtualization/).waitFor();
});
