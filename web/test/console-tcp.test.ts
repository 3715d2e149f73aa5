import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { defaultRuntimeRoot, runtimePathsFor } from '../../helper/src/runtime/runtime-paths';
import { readPidFile } from '../../helper/src/qemu-process/launch';
import { screenshot } from './support/browser';
import { typeSerialEcho, waitForGuestOnCanvas, waitForScreenConnected, waitForTyped, watchScreen } from './support/console-screen';
import { uiSuite } from './support/ui-suite';

// The consoles in the Windows form, on this host: the helper runs with OPENUTM_QEMU_ENDPOINTS=tcp,
// so QEMU's SPICE and VNC servers listen on loopback ports and refuse anyone without the run's
// display password. The page gets it from console.open and gives it to spice-html5 / noVNC.

const ui = uiSuite({ env: { OPENUTM_QEMU_ENDPOINTS: 'tcp' } });

// QEMU's command line as other local users see it in a process listing.
async function qemuCommandLine(id: string): Promise<string> {
  const pid = await readPidFile(runtimePathsFor(defaultRuntimeRoot(ui.helper.home), id, 'linux').pidFile);
  assert.ok(pid !== null, 'QEMU wrote its pidfile');
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
}

for (const display of ['spice', 'vnc'] as const) {
  test(`a ${display.toUpperCase()} screen on loopback TCP with a password opens, shows the guest and takes keystrokes`, { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const { helper } = ui;
    const id = await helper.createKernelGuest(`Tux TCP ${display}`, { display: { type: display } });
    await (await helper.api()).call('vm.start', { id });
    try {
      await helper.waitForGuestShell(id);
      const cmdline = await qemuCommandLine(id);
      const listens = display === 'spice' ? /-spice port=\d+,addr=127\.0\.0\.1,password-secret=display_password/ : /-vnc vnc=127\.0\.0\.1:\d+,password-secret=display_password/;
      assert.match(cmdline, listens, 'QEMU listens on loopback TCP and wants the password');
      const { password } = await (await helper.api()).call('console.open', { id, channel: 'display' });
      assert.ok(password !== undefined && !cmdline.includes(password), 'console.open gives a password that is in no process listing');

      const { page } = await ui.pair();
      watchScreen(page, helper.log);
      await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(id)}`);
      await waitForScreenConnected(page);
      assert.equal(await page.getByTestId('console-screen').getAttribute('data-protocol'), display);
      await waitForGuestOnCanvas(page);
      const token = `tcp-${display}-${randomBytes(4).toString('hex')}`;
      await page.locator('[data-testid="console-screen"] canvas').focus();
      await typeSerialEcho(page, token);
      await waitForTyped(page, helper.serialLog(id), token);
      await screenshot(page, `console-tcp-${display}`);
      // Leave the console before the VM goes, so its drop is not this test's.
      await page.goto(`${helper.origin}/vm?id=${encodeURIComponent(id)}`);
      const notice = page.getByRole('status', { name: 'Launch warnings' });
      if (display === 'vnc') {
        // The builder's warning about VNC's 8-character passwords, on the VM's page while it runs.
        await notice.getByText('VNC checks only 8 characters of its password', { exact: false }).waitFor();
        await screenshot(page, 'vm-detail-launch-warnings');
        // The same warning in the helper's log and in the real `openutm show`.
        assert.ok(helper.log.some((l) => l.includes(`(${id}) warning: `) && l.includes('VNC checks only 8 characters')), 'the helper logs it');
        const shown = helper.cli(['show', id]);
        assert.equal(shown.status, 0, shown.stderr);
        assert.match(shown.stdout, /^ {2}warning {4}.*VNC checks only 8 characters/m, 'openutm show prints it');
        await (await helper.api()).call('vm.kill', { id });
        await notice.getByTestId('launch-warnings').waitFor({ state: 'detached' });
      } else {
        await page.getByRole('heading', { name: `Tux TCP ${display}` }).waitFor();
        // Other warnings may apply on this host (TCG without KVM), but not VNC's.
        assert.doesNotMatch(await notice.innerText(), /VNC checks only 8 characters/, 'SPICE on TCP has no 8-character password');
      }
    } finally {
      await (await helper.api()).call('vm.kill', { id }).catch(() => undefined);
    }
  });
}
