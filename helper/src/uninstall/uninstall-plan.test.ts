import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holdsVms, uninstallPlan } from './uninstall-plan';

// The table is written in POSIX paths; the plan uses the host's path rules.
const skip = process.platform === 'win32' ? 'the table uses POSIX paths' : false;
const base = { libraryRoot: '/home/a/.local/share/OpenUTM', runtimeRoot: '/run/user/1000/openutm/1a2b3c4d', autostartFiles: ['/home/a/.config/autostart/openutm.desktop'] };

test('the plan lists autostart, the helper\'s files at the library root, runtime and OS folders, never vms/', { skip }, () => {
  const plan = uninstallPlan({
    ...base,
    osDirs: ['/home/a/.config/OpenUTM', '/home/a/.cache/OpenUTM'],
    libraryEntries: ['vms', 'secrets.json', '.secrets.json.tmp-12-abcdefabcdef', 'logs', '.lock', '.lock.candidate-9-ab', 'my notes.txt'],
  });
  assert.deepEqual(
    plan.map((t) => t.path),
    [
      base.autostartFiles[0],
      '/home/a/.local/share/OpenUTM/.lock',
      '/home/a/.local/share/OpenUTM/.lock.candidate-9-ab',
      '/home/a/.local/share/OpenUTM/.secrets.json.tmp-12-abcdefabcdef',
      '/home/a/.local/share/OpenUTM/logs',
      '/home/a/.local/share/OpenUTM/secrets.json',
      base.runtimeRoot,
      '/home/a/.config/OpenUTM',
      '/home/a/.cache/OpenUTM',
    ],
  );
});

test('a folder that holds the VMs is never planned, wherever OPENUTM_HOME points', { skip }, () => {
  // A library placed inside the cache folder, or at the home folder itself.
  const plan = uninstallPlan({ ...base, libraryRoot: '/home/a/.cache/OpenUTM/lib', osDirs: ['/home/a/.cache/OpenUTM', '/home/a/.config/OpenUTM'], runtimeRoot: '/home/a', libraryEntries: [] });
  assert.deepEqual(plan.map((t) => t.path), [base.autostartFiles[0], '/home/a/.config/OpenUTM']);
  assert.equal(holdsVms('/home/a/.cache/OpenUTM/lib/vms', '/home/a/.cache/OpenUTM/lib'), true);
  assert.equal(holdsVms('/home/a/.cache/OpenUTM/lib/vms-old', '/home/a/.cache/OpenUTM/lib'), false);
  assert.equal(holdsVms('/home/a/.cache/OpenUTM/lib/logs', '/home/a/.cache/OpenUTM/lib'), false);
});

test('on Windows the hidden start-at-login launcher is planned first, like the other OSes\' entries', { skip }, () => {
  const launcher = '/home/a/AppData/Roaming/OpenUTM/Config/openutm-login.js';
  const plan = uninstallPlan({ ...base, autostartFiles: [launcher], osDirs: ['/home/a/AppData/Roaming/OpenUTM/Config'], libraryEntries: [] });
  assert.deepEqual(plan.slice(0, 1), [{ path: launcher, what: 'start at login' }]);
  assert.deepEqual(plan.map((t) => t.path), [launcher, base.runtimeRoot, '/home/a/AppData/Roaming/OpenUTM/Config']);
});
